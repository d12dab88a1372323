package main

import "os"

func main() {
	os.Exit(run(newApp(), dockerPlugin(os.Args[1:])))
}
