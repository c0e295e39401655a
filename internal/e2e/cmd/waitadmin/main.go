// Command waitadmin waits until a FlyteAdmin answers gRPC (a ListProjects
// call succeeds) and prints how long that took.
//
// Usage:
//
//	waitadmin -endpoint 127.0.0.1:PORT [-timeout 2m] [-interval 500ms]
//
// It exits 0 once admin answers and 1 when -timeout passes first.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/service"

	"github.com/flytedask/flytedask/internal/e2e/harness"
)

func main() {
	endpoint := flag.String("endpoint", "", "FlyteAdmin gRPC host:port (required)")
	timeout := flag.Duration("timeout", 2*time.Minute, "give up after this long")
	interval := flag.Duration("interval", 500*time.Millisecond, "time between attempts, and per-attempt timeout")
	flag.Parse()
	if *endpoint == "" {
		log.Fatal("waitadmin: -endpoint is required")
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	start := time.Now()
	conn, err := harness.NewConn(*endpoint)
	if err != nil {
		log.Fatalf("waitadmin: %v", err)
	}
	defer conn.Close()
	if err := harness.WaitReady(ctx, service.NewAdminServiceClient(conn), *interval); err != nil {
		log.Fatalf("waitadmin: %v", err)
	}
	fmt.Printf("waitadmin: FlyteAdmin at %s answered after %s\n", *endpoint, time.Since(start).Round(time.Millisecond))
}
