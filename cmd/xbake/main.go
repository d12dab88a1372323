package main

import "os"

func main() {
	os.Exit(run(newApp(), os.Args[1:]))
}
