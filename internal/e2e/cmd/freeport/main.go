// Command freeport prints N distinct TCP ports that are free on 127.0.0.1,
// one per line. All N listeners are held open until every port is chosen, so
// the ports are distinct; another process may still take one afterwards.
//
// Usage:
//
//	freeport [-n 1]
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
)

func main() {
	n := flag.Int("n", 1, "number of ports")
	flag.Parse()
	ports, err := freePorts(*n)
	if err != nil {
		log.Fatalf("freeport: %v", err)
	}
	for _, p := range ports {
		fmt.Println(p)
	}
}

func freePorts(n int) ([]int, error) {
	if n < 1 {
		return nil, fmt.Errorf("-n must be at least 1, got %d", n)
	}
	ports := make([]int, 0, n)
	for range n {
		lis, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("listen: %w", err)
		}
		defer lis.Close()
		ports = append(ports, lis.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
