// Package e2e holds end-to-end tests against a real FlyteAdmin v1.1.131.
//
// Run them with internal/e2e/run.sh, which builds FlyteAdmin (module
// ./adminbuild), starts PostgreSQL, a stub Kubernetes API and FlyteAdmin in
// a private network namespace, and runs `go test ./...` here with the
// FLYTEDASK_E2E_* variables set. Without those variables the live tests
// skip. Reusable helpers live in package harness.
package e2e
