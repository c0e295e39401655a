package register_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/flytedask/flytedask/field"
	"github.com/flytedask/flytedask/register"
	"github.com/flytedask/flytedask/register/registertest"
)

// exampleSpec stands in for a TaskSpec produced by the flytedask task package.
func exampleSpec(name, image string) *admin.TaskSpec {
	return &admin.TaskSpec{Template: &core.TaskTemplate{
		Id:        &core.Identifier{ResourceType: core.ResourceType_TASK, Name: name},
		Type:      "dask",
		Metadata:  &core.TaskMetadata{Runtime: &core.RuntimeMetadata{Type: core.RuntimeMetadata_OTHER, Version: "0.1.0", Flavor: "go"}},
		Interface: &core.TypedInterface{},
		Target:    &core.TaskTemplate_Container{Container: &core.Container{Image: image, Args: []string{"python", "-m", "job"}}},
	}}
}

func ExampleLoadFlytectlConfig() {
	cfg, err := register.LoadFlytectlConfig(filepath.Join("testdata", "clientsecret.yaml"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(cfg.Endpoint)
	fmt.Println(cfg.Auth.Type, cfg.Auth.ClientID, cfg.Auth.Scopes)
	fmt.Println(cfg.Retry.MaxRetries, cfg.Retry.PerRetryTimeout)
	// Output:
	// dns:///flyte.example.com:443
	// ClientSecret flytectl-ci [all offline]
	// 7 30s
}

func ExampleDryRun() {
	specs := []*admin.TaskSpec{
		exampleSpec("pkg.etl", "ghcr.io/example/dask:1"),
		exampleSpec("pkg.train", "ghcr.io/example/dask:1"),
	}
	target := register.Target{Project: "flytesnacks", Domain: "development", Version: "v1"}
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tOUTCOME\tINFO")
	for _, r := range register.DryRun(specs, target) {
		fmt.Fprintf(w, "%s\t%s\t%s\n", r.Name(), r.Outcome, r.Reason)
	}
	_ = w.Flush()

	// An unresolved image template is caught locally; nothing would be sent.
	specs[1] = exampleSpec("pkg.train", "{{.image.default.fqn}}:{{.image.default.version}}")
	for _, r := range register.DryRun(specs, target) {
		fmt.Println(r)
	}
	// Output:
	// NAME       OUTCOME        INFO
	// pkg.etl    WouldRegister  valid, not sent (dry run)
	// pkg.train  WouldRegister  valid, not sent (dry run)
	// pkg.etl@v1: NotAttempted: not sent: other specs failed validation
	// pkg.train@v1: Invalid (InvalidArgument): validation error: template.container.image: the image contains an unresolved template: nothing on the registration path substitutes images
}

func ExampleNew() {
	path, err := register.FindFlytectlConfig("") // $FLYTECTL_CONFIG or ~/.flyte/config.yaml
	if err != nil {
		log.Fatal(err)
	}
	cfg, err := register.LoadFlytectlConfig(path)
	if err != nil {
		log.Fatal(err)
	}
	// Options from the file, adjusted by functions (aws-sdk-go-v2 style).
	client, err := register.New(cfg, func(o *register.Options) {
		o.Retry.MaxRetries = 10
		o.Auth.Prompt = os.Stderr // where Pkce and DeviceFlow print the URL to open
		o.OnRetry = func(ev register.RetryEvent) {
			fmt.Fprintf(os.Stderr, "FlyteAdmin answered %v; retrying in %s\n", ev.Code, ev.Wait)
		}
	})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	fmt.Println("client for", cfg.Endpoint)
}

func ExampleClient_Register() {
	ctx := context.Background()
	client, err := register.New(register.Options{Endpoint: "dns:///localhost:30080", Insecure: true})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	specs := []*admin.TaskSpec{exampleSpec("pkg.etl", "ghcr.io/example/dask:1")}
	target := register.Target{Project: "flytesnacks", Domain: "development", Version: "v1"}
	results, err := client.Register(ctx, specs, target, register.WithConcurrency(4))
	for _, r := range results {
		fmt.Println(r) // e.g. "pkg.etl@v1: Created (1 attempt): registered"
		for _, d := range r.Diff {
			fmt.Println("   ", d) // on "different structure": what changed
		}
	}
	if err != nil {
		log.Fatal(err)
	}
}

func ExampleClient_Diff() {
	ctx := context.Background()
	client, err := register.New(register.Options{Endpoint: "dns:///localhost:30080", Insecure: true})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	target := register.Target{Project: "flytesnacks", Domain: "development", Version: "v1"}
	res, err := client.Diff(ctx, exampleSpec("pkg.etl", "ghcr.io/example/dask:2"), target)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Status) // Same, NotRegistered or Changed
	for _, d := range res.Differences {
		fmt.Println(d) // e.g. `template.container.image: "ghcr.io/example/dask:1" -> "ghcr.io/example/dask:2"`
	}
}

func ExamplePreflight() {
	spec := exampleSpec("mypkg.train", "ghcr.io/acme/dask:1")
	fmt.Println(register.Preflight(spec) == nil)
	spec.Template.Metadata.Runtime = nil // would crash FlyteAdmin v1.1.x after storing the task
	spec.Template.GetContainer().Image = ""
	var verr *field.ValidationError
	if errors.As(register.Preflight(spec), &verr) {
		for _, e := range verr.Errors {
			fmt.Println(e.Type, e.Field)
		}
	}
	// Output:
	// true
	// required template.metadata.runtime
	// required template.container.image
}

func ExampleValidateVersion() {
	fmt.Println(register.ValidateVersion("v1.2.3") == nil)
	fmt.Println(register.ValidateVersion("v1/2") != nil)
	// Output:
	// true
	// true
}

func ExampleFindFlytectlConfig() {
	path, err := register.FindFlytectlConfig(filepath.Join("testdata", "clientsecret.yaml"))
	fmt.Println(filepath.Base(path), err)
	_, err = register.FindFlytectlConfig(filepath.Join("testdata", "missing.yaml"))
	fmt.Println(err != nil)
	// Output:
	// clientsecret.yaml <nil>
	// true
}

func ExampleNewClient() {
	// Any TaskService: the generated AdminServiceClient of your own connection, or the in-memory
	// FlyteAdmin of package registertest, here failing the first attempt of every task.
	fake := registertest.New()
	fake.Hook = func(_ context.Context, _ *admin.TaskCreateRequest, n int) error {
		if n == 1 {
			return status.Error(codes.Unavailable, "FlyteAdmin is restarting")
		}
		return nil
	}
	client := register.NewClient(fake.Client(), register.ClientOptions{
		Retry:   register.RetryPolicy{MaxRetries: 3, MaxBackoff: time.Millisecond},
		OnRetry: func(ev register.RetryEvent) { fmt.Println("retry after", ev.Code) },
	})
	target := register.Target{Project: "flytesnacks", Domain: "development", Version: "v1"}
	results, err := client.Register(context.Background(), []*admin.TaskSpec{exampleSpec("pkg.etl", "ghcr.io/example/dask:1")}, target)
	fmt.Println(results[0], err)

	changed := exampleSpec("pkg.etl", "ghcr.io/example/dask:2")
	d, err := client.Diff(context.Background(), changed, target)
	fmt.Println(d.Status, err)
	for _, diff := range d.Differences {
		fmt.Println(diff)
	}
	// Output:
	// retry after Unavailable
	// pkg.etl@v1: Created (2 attempts): registered <nil>
	// Changed <nil>
	// template.container.image: "ghcr.io/example/dask:1" -> "ghcr.io/example/dask:2"
}
