// A Go program built with cgo: it calls the C library, so it is dynamically linked against
// glibc and needs an image with libc; auto-deps finds libc6 from the binary.
package main

// #include <unistd.h>
// #include <gnu/libc-version.h>
import "C"

import "fmt"

func main() {
	fmt.Printf("cgo: glibc %s, pid %d\n", C.GoString(C.gnu_get_libc_version()), int(C.getpid()))
}
