# flytedask: the commands CI and developers run. `make test` is what .ci/run runs first.
GO ?= go
GOFILES = $(shell git ls-files '*.go' 2>/dev/null || find . -name '*.go')

.PHONY: tidy all test fmt-check vet depcheck unit race fuzz-seeds bench update-golden quickstart verify e2e ci consumer

all: test

## test: gofmt check, go vet, every unit test of the main module (fuzz seeds included), and the
## concurrency tests under the race detector
test: fmt-check vet depcheck unit race

fmt-check:
	@out=$$(gofmt -l $(GOFILES)); if [ -n "$$out" ]; then echo "gofmt: these files need formatting:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

unit:
	$(GO) test -count=1 ./...

## depcheck: the main module (tests included) links neither the 2023 standalone IDL, which registers
## the same proto names as github.com/flyteorg/flyte/flyteidl, nor the deprecated golang/protobuf
depcheck:
	@bad=$$($(GO) list -deps -test ./... | grep -E '^github.com/(flyteorg/flyteidl|golang/protobuf)(/|$$)'); \
	if [ -n "$$bad" ]; then echo "depcheck: the main module must not import:"; echo "$$bad"; exit 1; fi

## race: the tests that build and register from several goroutines (a Register of 200 specs takes
## the parallel validation path), and the authentication flows (a token shared by concurrent calls),
## under the race detector
RACE_TESTS := Concurren|Alias|TestRegisterCreatesInOrder|TestRegisterRetries|TestRegisterContextCancelledMidRun|TestFlyteIDLInterop|TestWithValidator|TestRetry|TestCancelDuringBackoff
RACE_AUTH_TESTS := TestClientSecret|TestToken|TestRefresh|TestUnauthenticated|TestExternalCommand|TestPkce|TestDeviceFlow|TestProxyCommand|TestNoAuthTypeHint|TestHanging|TestTLS|TestServerRejects|TestNewCopies|TestRegistertest
race:
	$(GO) test -race -count=1 -run '$(RACE_TESTS)|$(RACE_AUTH_TESTS)' ./task/ ./register/...

## consumer: a separate module that requires flytedask next to github.com/flyteorg/flyte/flyteidl
## (internal/consumer) resolves its module graph, verifies, builds, tests and runs
consumer:
	cd internal/consumer && $(GO) list -m all >/dev/null && $(GO) mod verify && $(GO) vet ./... && $(GO) test -count=1 ./... && $(GO) run .

## bench: the benchmarks, each reporting its ratio to a floor measured in the same run
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# GOLDEN_PKGS: the main module's packages whose tests take -update (they define the flag, or use internal/golden
# or internal/exampletest); `go test ./... -update` fails in every other package ("flag provided but not defined").
# The nested modules are left out.
GOLDEN_PKGS = $(shell grep -rlE --include='*_test.go' 'flag\.Bool."update"|flytedask/flytedask/internal/(golden|exampletest)"' . | grep -vE '^\./(internal/backendcheck|explain/internal/backendverify|internal/e2e)/' | xargs -n1 dirname | sort -u)

## update-golden: rewrite golden files after an intended output change (review the diff!). The second line
## rewrites the backend-check case files (internal/backendcheck/testdata/sdk_cases.json and
## explain/internal/backendverify/testdata/bundle_cases.jsonl) again from the example bundles just rewritten
## by the first (the packages run in parallel); then run make verify.
update-golden:
	$(GO) test -count=1 $(GOLDEN_PKGS) -update
	$(GO) test -count=1 ./internal/backendcases -update

## quickstart: the README's first command
quickstart:
	$(GO) run ./examples/quickstart

## verify: run the real Flyte compiler and Dask backend plugins (flyteplugins v1.1.31 and v1.16.8) over
## every bundle the project writes, and check explain agrees with them. The nested modules do not link this one
## (internal/backendcheck cannot: its legacy flyteidl registers the same proto files as this module's), they read
## case files that this module's tests write; the first line checks that those files are current.
verify:
	$(GO) test -count=1 -run '^(TestCaseFilesUpToDate|TestBackendCasesGolden)$$' ./internal/backendcases ./explain
	cd internal/backendcheck && $(GO) test -count=1 ./...
	cd explain/internal/backendverify && $(GO) test -count=1 ./...

## e2e: register against a real FlyteAdmin v1.1.131 (PostgreSQL, stub kube API) and execute Dask tasks through a real
## kube-apiserver v1.34.4, FlyteAdmin and flytepropeller v1.1.129 with local Dask processes (see internal/e2e)
e2e:
	bash internal/e2e/run.sh

ci: test consumer verify e2e

## tidy: go mod tidy in every module; internal/e2e replaces this module with ../.., so run it after any go.mod change
tidy:
	$(GO) mod tidy
	cd internal/consumer && $(GO) mod tidy
	cd internal/backendcheck && $(GO) mod tidy
	cd explain/internal/backendverify && $(GO) mod tidy
	cd internal/e2e && $(GO) mod tidy
	cd internal/e2e/adminbuild && $(GO) mod tidy
	cd internal/e2e/kubebuild && $(GO) mod tidy
	cd internal/e2e/propellerbuild && $(GO) mod tidy
