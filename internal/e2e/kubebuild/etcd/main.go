// Command etcd runs an embedded etcd server (go.etcd.io/etcd/server/v3/embed)
// on loopback for the e2e harness: a single member with a temporary (or given)
// data directory, client URL http://127.0.0.1:PORT. It stops on SIGINT/SIGTERM
// and removes a temporary data directory on the way out.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
)

func main() {
	if err := run(); err != nil {
		log.Fatalf("etcd: %v", err)
	}
}

func run() error {
	clientPort := flag.Int("client-port", 2379, "client port on 127.0.0.1")
	peerPort := flag.Int("peer-port", 2380, "peer port on 127.0.0.1")
	dataDir := flag.String("data-dir", "", "data directory (default: a temporary one, removed on exit)")
	readyTimeout := flag.Duration("ready-timeout", time.Minute, "how long to wait for the server to be ready")
	flag.Parse()

	dir := *dataDir
	if dir == "" {
		d, err := os.MkdirTemp("", "flytedask-etcd-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	cfg := embed.NewConfig()
	cfg.Name = "e2e"
	cfg.Dir = dir
	cfg.LogLevel = "warn"
	cu, err := url.Parse(fmt.Sprintf("http://127.0.0.1:%d", *clientPort))
	if err != nil {
		return err
	}
	pu, err := url.Parse(fmt.Sprintf("http://127.0.0.1:%d", *peerPort))
	if err != nil {
		return err
	}
	cfg.ListenClientUrls = []url.URL{*cu}
	cfg.AdvertiseClientUrls = []url.URL{*cu}
	cfg.ListenPeerUrls = []url.URL{*pu}
	cfg.AdvertisePeerUrls = []url.URL{*pu}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	cfg.ListenMetricsUrls = nil

	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return fmt.Errorf("start: %w", err)
	}
	defer e.Close()
	select {
	case <-e.Server.ReadyNotify():
		log.Printf("etcd ready on %s (data %s)", cu, dir)
	case <-time.After(*readyTimeout):
		e.Server.Stop()
		return errors.New("not ready in time")
	case <-ctx.Done():
		e.Server.Stop()
		return nil
	}
	select {
	case err := <-e.Err():
		return err
	case <-ctx.Done():
		log.Printf("etcd: stopping")
		return nil
	}
}
