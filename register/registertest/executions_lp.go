package registertest

// Launch plans for the execution fake. TEMPORARY home: helper lpreg adds the launch-plan methods
// of the fake in launchplans.go; when that lands, keep its GetLaunchPlan and store, delete this
// file and make launchPlan (executions.go) read that store.

import (
	"context"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// PutLaunchPlan stores a copy of lp under its id, as if it had been registered (and its closure
// computed) earlier.
func (a *Admin) PutLaunchPlan(lp *admin.LaunchPlan) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.exec.launchPlans == nil {
		a.exec.launchPlans = map[string]*admin.LaunchPlan{}
	}
	a.exec.launchPlans[key(lp.GetId())] = proto.Clone(lp).(*admin.LaunchPlan)
}

// GetLaunchPlan returns the stored launch plan with the request id, or codes.NotFound.
func (a *Admin) GetLaunchPlan(ctx context.Context, req *admin.ObjectGetRequest) (*admin.LaunchPlan, error) {
	if err := ctx.Err(); err != nil {
		return nil, status.FromContextError(err).Err()
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.count("GetLaunchPlan")
	lp, ok := a.launchPlan(req.GetId())
	if !ok {
		return nil, status.Errorf(codes.NotFound, "missing entity of type LAUNCH_PLAN with identifier %s", key(req.GetId()))
	}
	return proto.Clone(lp).(*admin.LaunchPlan), nil
}
