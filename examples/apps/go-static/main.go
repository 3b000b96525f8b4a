// A Go HTTP service with no cgo: a static binary for the static image (or scratch).
// `server --once` answers one request made to itself and exits (for `podman run` without a
// network); `server --health` is its healthcheck.
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"
)

func handler(w http.ResponseWriter, r *http.Request) {
	fmt.Fprintf(w, "hello from go on %s\n", r.URL.Path)
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "--health" {
		os.Exit(0)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:8080")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	go http.Serve(ln, http.HandlerFunc(handler))
	if len(os.Args) > 1 && os.Args[1] == "--once" {
		client := http.Client{Timeout: 5 * time.Second}
		resp, err := client.Get("http://127.0.0.1:8080/distroless")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		body, _ := io.ReadAll(resp.Body)
		fmt.Print(string(body))
		// The CA bundle the image carries, as Go's crypto/x509 finds it.
		if _, err := os.Stat("/etc/ssl/certs/ca-certificates.crt"); err == nil {
			fmt.Println("ca-bundle present")
		}
		return
	}
	select {}
}
