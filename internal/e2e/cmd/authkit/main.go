// Command authkit holds the pieces the e2e needs around a FlyteAdmin with authentication on.
//
// Usage:
//
//	authkit certs -dir DIR
//	    writes DIR/ca.pem (a private CA), DIR/server.pem and DIR/server-key.pem (signed by it, for
//	    127.0.0.1, 0.0.0.0 and localhost: FlyteAdmin's gateway dials itself as 0.0.0.0:PORT),
//	    DIR/client_secret (a random secret) and DIR/client_secret.hash (the base64 of its bcrypt
//	    hash, as FlyteAdmin's staticClients hold secrets), DIR/oidc_client_secret (unused by the
//	    tests, but FlyteAdmin reads it).
//	authkit oidc -addr 127.0.0.1:0 -url-file FILE
//	    serves a stub OpenID issuer (discovery document and an empty JWKS) until SIGTERM and
//	    writes its base URL to FILE. FlyteAdmin fetches the discovery document when it starts.
//	authkit wait -url URL -ca CA [-timeout 3m]
//	    waits until an HTTPS GET of URL answers 200.
//	authkit token -token-url URL -ca CA -client-id ID -secret-file FILE [-scope all]
//	    prints an access token of the client-credentials grant (an ExternalCommand for flytectl
//	    configs). Nothing else goes to stdout; errors never quote the secret.
package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"log"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"golang.org/x/crypto/bcrypt"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("authkit: ")
	if len(os.Args) < 2 {
		log.Fatal("usage: authkit certs|oidc|wait|token ...")
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	var err error
	switch os.Args[1] {
	case "certs":
		dir := fs.String("dir", "", "output directory")
		_ = fs.Parse(os.Args[2:])
		err = certs(*dir)
	case "oidc":
		addr := fs.String("addr", "127.0.0.1:0", "listen address")
		urlFile := fs.String("url-file", "", "file to write the issuer URL to")
		_ = fs.Parse(os.Args[2:])
		err = oidc(*addr, *urlFile)
	case "wait":
		u := fs.String("url", "", "HTTPS URL")
		ca := fs.String("ca", "", "CA PEM file")
		timeout := fs.Duration("timeout", 3*time.Minute, "give up after")
		_ = fs.Parse(os.Args[2:])
		err = wait(*u, *ca, *timeout)
	case "token":
		tokenURL := fs.String("token-url", "", "token endpoint")
		ca := fs.String("ca", "", "CA PEM file")
		id := fs.String("client-id", "", "client id")
		secretFile := fs.String("secret-file", "", "file holding the client secret")
		scope := fs.String("scope", "all", "scope")
		_ = fs.Parse(os.Args[2:])
		err = token(*tokenURL, *ca, *id, *secretFile, *scope)
	default:
		err = fmt.Errorf("unknown subcommand %q", os.Args[1])
	}
	if err != nil {
		log.Fatal(err)
	}
}

func writePEM(path, typ string, der []byte) error {
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o644)
}

func certs(dir string) error {
	if dir == "" {
		return fmt.Errorf("-dir is required")
	}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "flytedask e2e private CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign, IsCA: true, BasicConstraintsValid: true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "flyteadmin e2e"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		DNSNames:    []string{"localhost"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv4zero},
		KeyUsage:    x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	secretBytes := make([]byte, 24)
	_, _ = rand.Read(secretBytes)
	secret := hex.EncodeToString(secretBytes)
	hash, err := bcrypt.GenerateFromPassword([]byte(secret), 6)
	if err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		err  error
	}{
		{"ca.pem", writePEM(filepath.Join(dir, "ca.pem"), "CERTIFICATE", caDER)},
		// The chain (leaf, then CA): FlyteAdmin trusts this file when its gateway dials itself.
		{"server.pem", os.WriteFile(filepath.Join(dir, "server.pem"), append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})...), 0o644)},
		{"server-key.pem", writePEM(filepath.Join(dir, "server-key.pem"), "EC PRIVATE KEY", keyDER)},
		{"client_secret", os.WriteFile(filepath.Join(dir, "client_secret"), []byte(secret+"\n"), 0o600)},
		{"client_secret.hash", os.WriteFile(filepath.Join(dir, "client_secret.hash"), []byte(base64.StdEncoding.EncodeToString(hash)), 0o600)},
		{"oidc_client_secret", os.WriteFile(filepath.Join(dir, "oidc_client_secret"), []byte("unused"), 0o600)},
	} {
		if f.err != nil {
			return fmt.Errorf("%s: %w", f.name, f.err)
		}
	}
	return nil
}

func oidc(addr, urlFile string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issuer": base, "authorization_endpoint": base + "/authorize", "token_endpoint": base + "/token",
			"jwks_uri": base + "/jwks", "userinfo_endpoint": base + "/userinfo",
			"response_types_supported": []string{"code"}, "subject_types_supported": []string{"public"},
			"id_token_signing_alg_values_supported": []string{"RS256"},
		})
	})
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"keys":[]}`))
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	if err := os.WriteFile(urlFile, []byte(base+"\n"), 0o644); err != nil {
		return err
	}
	log.Printf("stub OpenID issuer at %s", base)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	return srv.Close()
}

func httpClient(caFile string) (*http.Client, error) {
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("no certificate in %s", caFile)
	}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}, nil
}

func wait(u, caFile string, timeout time.Duration) error {
	hc, err := httpClient(caFile)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(timeout)
	for {
		resp, err := hc.Get(u)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("status %s", resp.Status)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not answer 200 within %s: %v", u, timeout, err)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

func token(tokenURL, caFile, id, secretFile, scope string) error {
	hc, err := httpClient(caFile)
	if err != nil {
		return err
	}
	b, err := os.ReadFile(secretFile)
	if err != nil {
		return err
	}
	cc := clientcredentials.Config{ClientID: id, ClientSecret: strings.TrimSpace(string(b)), TokenURL: tokenURL, Scopes: strings.Fields(scope)}
	tok, err := cc.Token(context.WithValue(context.Background(), oauth2.HTTPClient, hc))
	if err != nil {
		return fmt.Errorf("client credentials for %q failed", id) // the error may quote the request
	}
	fmt.Println(tok.AccessToken)
	return nil
}
