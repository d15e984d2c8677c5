// Command proofhttp is the harness proof's workload: an HTTP server on :8080 that answers "ok",
// and, run as `proofhttp get URL`, a client that prints the status and body of a GET (used from a
// second pod to show that a Service resolves by DNS and routes).
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"
)

func main() {
	if len(os.Args) == 3 && os.Args[1] == "get" {
		os.Exit(get(os.Args[2]))
	}
	http.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "ok") })
	fmt.Println("listening on :8080")
	if err := http.ListenAndServe(":8080", nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func get(url string) int {
	client := http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		fmt.Fprintln(os.Stderr, "GET", url, "failed:", err)
		return 1
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	host := resp.Request.URL.Hostname()
	addrs, _ := net.LookupHost(host)
	fmt.Printf("%s -> %v: %d %s\n", host, addrs, resp.StatusCode, body)
	if resp.StatusCode != 200 {
		return 1
	}
	return 0
}
