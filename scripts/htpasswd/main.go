// Command htpasswd prints one htpasswd line, USER:BCRYPT-HASH, for the
// local stack's auth registry: registry v2 accepts only bcrypt entries and
// Debian's apache2-utils is not worth installing for one line.
//
//	htpasswd USER < password
package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

func main() {
	if len(os.Args) != 2 || os.Args[1] == "" || strings.Contains(os.Args[1], ":") {
		fmt.Fprintln(os.Stderr, "usage: htpasswd USER < password (USER without ':')")
		os.Exit(2)
	}
	// The password comes on stdin so it never shows in a process listing.
	password, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil && password == "" {
		fmt.Fprintln(os.Stderr, "htpasswd: read password from stdin:", err)
		os.Exit(1)
	}
	password = strings.TrimSuffix(password, "\n")
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		fmt.Fprintln(os.Stderr, "htpasswd:", err)
		os.Exit(1)
	}
	fmt.Printf("%s:%s\n", os.Args[1], hash)
}
