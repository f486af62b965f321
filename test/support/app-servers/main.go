// The smallest net/http server: "ok" to every request (Go's compatibility test).
//
// Without flags it is http.ListenAndServe with its defaults (no timeout at all); the flags set
// the http.Server fields of the same names. Standard library only: it builds with no module
// download.
package main

import (
	"flag"
	"log"
	"net/http"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	readHeaderTimeout := flag.Duration("read-header-timeout", 0, "http.Server ReadHeaderTimeout (0: unset)")
	idleTimeout := flag.Duration("idle-timeout", 0, "http.Server IdleTimeout (0: unset)")
	flag.Parse()
	handler := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok")) })
	if *readHeaderTimeout == 0 && *idleTimeout == 0 {
		log.Fatal(http.ListenAndServe(*addr, handler))
	}
	server := &http.Server{Addr: *addr, Handler: handler, ReadHeaderTimeout: *readHeaderTimeout, IdleTimeout: *idleTimeout}
	log.Fatal(server.ListenAndServe())
}
