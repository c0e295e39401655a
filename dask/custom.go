package dask

import (
	"fmt"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/plugins"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/flytedask/flytedask/field"
	"github.com/flytedask/flytedask/resources"
)

// FromCustom reads a TaskTemplate.custom written by flytekit, flytedask or
// any other tool back into a Config, decoding it the way the backend does
// (camelCase or snake_case keys, enum names or numbers, unknown keys
// ignored). Paths of problems are below path. Besides what the backend
// cannot decode it reports what makes the backend misbehave: a missing
// scheduler or workers message or a missing resources message (the plugin
// panics before Flyte v1.14.0), no workers (0 replicas: the job hangs), and
// resource names repeated or unknown.
func FromCustom(path *field.Path, custom *structpb.Struct) (Config, field.ErrorList) {
	if custom == nil {
		return Config{}, field.ErrorList{field.Required(path, "the task has no custom DaskJob payload: the Dask plugin cannot build a cluster")}
	}
	raw, err := protojson.Marshal(custom)
	if err != nil {
		return Config{}, field.ErrorList{field.Invalid(path, nil, fmt.Sprintf("custom is not valid JSON: %v", err))}
	}
	var job plugins.DaskJob
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(raw, &job); err != nil {
		return Config{}, field.ErrorList{field.Invalid(path, string(raw), fmt.Sprintf("custom is not a DaskJob (the backend fails with BadTaskSpecification): %v", err))}
	}
	var (
		cfg  Config
		errs field.ErrorList
	)
	sp, wp := path.Child("scheduler"), path.Child("workers")
	if job.Scheduler == nil {
		errs = append(errs, field.Required(sp, "custom has no scheduler message: write \"scheduler\": {\"resources\": {}} as flytekit does"))
	} else {
		cfg.Scheduler.Image = job.Scheduler.Image
		if job.Scheduler.Resources == nil {
			errs = append(errs, field.Required(sp.Child("resources"), "scheduler has no resources message: write \"resources\": {} as flytekit does"))
		}
		var rerrs field.ErrorList
		cfg.Scheduler.Requests, cfg.Scheduler.Limits, rerrs = resources.FromProto(sp.Child("resources"), job.Scheduler.Resources)
		errs = append(errs, rerrs...)
	}
	if job.Workers == nil {
		errs = append(errs, field.Required(wp, "custom has no workers message: the backend starts 0 workers"))
	} else {
		cfg.Workers.Image = job.Workers.Image
		cfg.Workers.NumberOfWorkers = int(job.Workers.NumberOfWorkers)
		if job.Workers.NumberOfWorkers == 0 {
			errs = append(errs, field.Invalid(wp.Child("number_of_workers"), 0, workerCountDetail(0)))
		}
		if job.Workers.Resources == nil {
			errs = append(errs, field.Required(wp.Child("resources"), "workers have no resources message: write \"resources\": {} as flytekit does"))
		}
		var rerrs field.ErrorList
		cfg.Workers.Requests, cfg.Workers.Limits, rerrs = resources.FromProto(wp.Child("resources"), job.Workers.Resources)
		errs = append(errs, rerrs...)
	}
	return cfg, errs
}
