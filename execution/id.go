package execution

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"

	"github.com/flytedask/flytedask/field"
	"github.com/flytedask/flytedask/register"
)

// ID identifies an execution.
type ID struct {
	Project, Domain, Name string
}

// String is "project/domain/name".
func (id ID) String() string { return id.Project + "/" + id.Domain + "/" + id.Name }

// Validate reports every empty field.
func (id ID) Validate() error {
	var errs field.ErrorList
	for _, f := range []struct{ name, v string }{{"project", id.Project}, {"domain", id.Domain}, {"name", id.Name}} {
		if f.v == "" {
			errs = append(errs, field.Required(field.NewPath(f.name), "is empty; FlyteAdmin needs it"))
		}
	}
	return errs.Err()
}

func (id ID) proto() *core.WorkflowExecutionIdentifier {
	return &core.WorkflowExecutionIdentifier{Project: id.Project, Domain: id.Domain, Name: id.Name}
}

func idOf(p *core.WorkflowExecutionIdentifier) ID {
	return ID{Project: p.GetProject(), Domain: p.GetDomain(), Name: p.GetName()}
}

// ConsoleURL is the Flyte console page of the execution, as flytekit's generate_console_url builds
// it: BASE/console/projects/P/domains/D/executions/NAME, where BASE is console (flytectl's and
// flytekit's console.endpoint) when not empty, else [ConsoleBase] of the admin options.
func (id ID) ConsoleURL(console string, admin register.Options) string {
	base := strings.TrimRight(console, "/")
	if base == "" {
		base = ConsoleBase(admin)
	}
	return fmt.Sprintf("%s/console/projects/%s/domains/%s/executions/%s", base,
		url.PathEscape(id.Project), url.PathEscape(id.Domain), url.PathEscape(id.Name))
}

// ConsoleBase derives the console's address from the admin endpoint as flytekit does: "https://"
// (or "http://" when Insecure) followed by the endpoint without a gRPC scheme such as dns:///; an
// endpoint naming localhost becomes localhost:30080, the sandbox console.
func ConsoleBase(o register.Options) string {
	ep := strings.TrimSpace(o.Endpoint)
	if i := strings.Index(ep, ":///"); i >= 0 {
		ep = ep[i+4:]
	} else if i := strings.Index(ep, "://"); i >= 0 {
		ep = ep[i+3:]
	}
	if strings.Contains(ep, "localhost") {
		ep = "localhost:30080"
	}
	scheme := "https"
	if o.Insecure {
		scheme = "http"
	}
	return scheme + "://" + ep
}
