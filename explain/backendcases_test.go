package explain

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	"k8s.io/apimachinery/pkg/api/resource"
)

// backendCase is one line of testdata/backend_cases.jsonl: a template (deterministic proto bytes,
// base64), a platform, and what Explain returns for them. The nested module internal/backendverify
// runs the same inputs through the real Flyte Dask plugin and compares (see its doc comment).
type backendCase struct {
	Name     string            `json:"name"`
	Template string            `json:"template"`
	PlatReq  map[string]string `json:"platReq"`
	PlatLim  map[string]string `json:"platLim"`
	Job      *Job              `json:"job,omitempty"`
	Err      string            `json:"err,omitempty"`
}

// customRes renders Dask custom resources from "NAME=value" lists.
func customRes(t testing.TB, req, lim string) string {
	if req == "" && lim == "" {
		return `{}`
	}
	list := func(s string) string {
		var parts []string
		if s != "" {
			for _, e := range entries(t, strings.Split(s, ",")...) {
				parts = append(parts, `{"name":"`+e.GetName().String()+`","value":"`+e.GetValue()+`"}`)
			}
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	return `{"requests":` + list(req) + `,"limits":` + list(lim) + `}`
}

func customOf(t testing.TB, workers int, wreq, wlim, sreq, slim string) string {
	b, err := json.Marshal(workers)
	require.NoError(t, err)
	return `{"scheduler":{"resources":` + customRes(t, sreq, slim) + `},"workers":{"numberOfWorkers":` + string(b) +
		`,"resources":` + customRes(t, wreq, wlim) + `}}`
}

func splitEntries(t testing.TB, s string) []*core.Resources_ResourceEntry {
	if s == "" {
		return nil
	}
	return entries(t, strings.Split(s, ",")...)
}

func caseTemplate(t testing.TB, custom, req, lim string) *core.TaskTemplate {
	tmpl := daskTemplate(t, custom, &core.Resources{Requests: splitEntries(t, req), Limits: splitEntries(t, lim)})
	tmpl.GetContainer().Args = []string{"pyflyte-execute", "--inputs", "{{.input}}"}
	return tmpl
}

func backendCaseTemplates(t testing.TB) []struct {
	name string
	tmpl *core.TaskTemplate
} {
	type c = struct {
		name string
		tmpl *core.TaskTemplate
	}
	tp := func(custom, req, lim string) *core.TaskTemplate { return caseTemplate(t, custom, req, lim) }
	cu := func(n int, wreq, wlim, sreq, slim string) string { return customOf(t, n, wreq, wlim, sreq, slim) }
	cases := []c{
		{"spec1", tp(cu(2, "CPU=5", "CPU=10,MEMORY=15G", "CPU=5", "CPU=10,MEMORY=15G"), "CPU=1", "CPU=2,MEMORY=2G")},
		{"spec2", tp(cu(2, "", "", "", ""), "CPU=1,MEMORY=2G", "CPU=16")},
		{"spec3", tp(cu(2, "", "", "", ""), "CPU=1", "CPU=2,MEMORY=2G")},
		{"spec4", tp(cu(2, "", "", "", ""), "CPU=2,MEMORY=8G", "CPU=8,MEMORY=17G")},
		{"noTaskRes", tp(cu(1, "", "", "", ""), "", "")},
		{"onlyLimits", tp(cu(3, "", "CPU=500m,MEMORY=1.5Gi", "", ""), "", "")},
		{"onlyReq", tp(cu(3, "CPU=3,MEMORY=6Gi", "", "", ""), "", "")},
		{"onlyCPU", tp(cu(1, "", "CPU=2", "", "CPU=2"), "MEMORY=8Gi", "")},
		{"onlyMem", tp(cu(1, "", "MEMORY=4Gi", "MEMORY=1G", ""), "CPU=3", "")},
		{"reqAboveLim", tp(cu(1, "CPU=4", "CPU=2,MEMORY=1Gi", "", ""), "", "")},
		{"capped", tp(cu(1, "", "CPU=16,MEMORY=32G", "CPU=20", ""), "CPU=12", "MEMORY=30G")},
		{"zeros", tp(cu(1, "", "CPU=0,MEMORY=2Gi", "", ""), "CPU=0,MEMORY=0", "")},
		{"storageOnly", tp(cu(1, "", "STORAGE=10Gi", "", "UNKNOWN=1"), "STORAGE=1Gi", "")},
		{"gpuEph", tp(cu(1, "EPHEMERAL_STORAGE=10Gi", "CPU=1,MEMORY=1Gi,GPU=1", "", "GPU=1"), "GPU=1", "EPHEMERAL_STORAGE=3Gi")},
		{"gpuOnlyReq", tp(cu(1, "GPU=1", "", "", ""), "", "")},
		{"frac1001m", tp(cu(1, "", "CPU=1001m,MEMORY=1000M", "", ""), "", "")},
		{"frac1.5", tp(cu(1, "", "CPU=1.5,MEMORY=1.5G", "", ""), "", "")},
		{"mem1024Mi", tp(cu(1, "", "CPU=0.5,MEMORY=1024Mi", "", ""), "", "")},
		{"mem2048", tp(cu(1, "", "CPU=2,MEMORY=2048", "", ""), "", "")},
		{"dupEntries", tp(cu(1, "", "CPU=2,CPU=3,MEMORY=1Gi", "", ""), "", "")},
		{"negative", tp(cu(1, "", "CPU=-1,MEMORY=1Gi", "", ""), "", "")},
		{"emptyCustom", tp(`{}`, "CPU=1", "")},
		{"snake", tp(`{"workers":{"number_of_workers":"5","image":"w:2","extra":1},"scheduler":{"image":"s:3"}}`, "", "")},
		{"enumNum", tp(`{"workers":{"numberOfWorkers":1,"resources":{"limits":[{"name":1,"value":"3"},{"name":"EPHEMERAL_STORAGE","value":"1Gi"}]}}}`, "", "")},
		{"bigWorkers", tp(`{"workers":{"numberOfWorkers":4294967295}}`, "", "")},
		{"badQty", tp(cu(1, "", "MEMORY=2gi", "", ""), "", "")},
		{"badQtySched", tp(cu(1, "", "", "CPU=abc", ""), "", "")},
		{"badQtyTask", tp(cu(1, "", "", "", ""), "", "MEMORY=1 Gi")},
		{"badEnum", tp(`{"workers":{"resources":{"limits":[{"name":"BOGUS","value":"1"}]}}}`, "", "")},
		{"fracWorkers", tp(`{"workers":{"numberOfWorkers":2.5}}`, "", "")},
		{"hugeQty", tp(cu(1, "", "CPU=1e300,MEMORY=9Ei", "", ""), "", "")},
		{"overflowCPU", tp(cu(1, "", "CPU=99999999999999999999,MEMORY=1Gi", "", ""), "", "")},
		{"tinyQty", tp(cu(1, "", "CPU=1n,MEMORY=1", "", "CPU=1u"), "", "")},
		{"taskTinyQty", tp(cu(1, "", "", "", ""), "CPU=1m", "MEMORY=1k")},
	}
	it := tp(cu(2, "", "CPU=1,MEMORY=1Gi", "", ""), "", "")
	it.Metadata.InterruptibleValue = &core.TaskMetadata_Interruptible{Interruptible: true}
	cases = append(cases, c{"interruptible", it})
	cmd := tp(cu(1, "", "", "", ""), "", "")
	cmd.GetContainer().Command = []string{"/entry", "run"}
	cases = append(cases, c{"command", cmd})
	noTarget := tp(`{}`, "", "")
	noTarget.Target = nil
	cases = append(cases, c{"noTarget", noTarget})
	nilCustom := tp(`{}`, "", "")
	nilCustom.Custom = nil
	cases = append(cases, c{"nilCustom", nilCustom})

	pod := func(name, spec string, cfg map[string]string, custom string) {
		tmpl := tp(custom, "", "")
		tmpl.Config = cfg
		tmpl.Target = &core.TaskTemplate_K8SPod{K8SPod: &core.K8SPod{PodSpec: mustStruct(t, spec)}}
		cases = append(cases, c{name, tmpl})
	}
	main := map[string]string{"primary_container_name": "main"}
	pod("k8sPod", `{"restartPolicy":"OnFailure","containers":[{"name":"side","image":"busybox"},{"name":"main","image":"pod:2","command":["python"],"args":["-m","x"],"resources":{"requests":{"cpu":"500m","gpu":"1"},"limits":{"memory":"3Gi"}}}]}`,
		main, cu(2, "", "", "", "MEMORY=3Gi"))
	pod("podNoName", `{"containers":[{"name":"main","image":"x"}]}`, nil, cu(1, "", "", "", ""))
	pod("podMissingPrimary", `{"containers":[{"name":"other","image":"x"}]}`, main, cu(1, "", "", "", ""))
	pod("podZeros", `{"containers":[{"name":"main","image":"x","resources":{"requests":{"cpu":"0","memory":"0","ephemeral-storage":"0"},"limits":{"nvidia.com/gpu":"0"}}}]}`, main, cu(1, "", "", "", ""))
	pod("podOtherRes", `{"containers":[{"name":"main","image":"x","resources":{"limits":{"example.com/foo":"3","cpu":"2500m","memory":"1.5Gi"}}}]}`, main, cu(1, "", "", "", ""))
	pod("podDupPrimary", `{"containers":[{"name":"main","image":"first"},{"name":"main","image":"second"}]}`, main, cu(1, "", "", "", ""))
	pod("podNumberQty", `{"containers":[{"name":"main","image":"x","resources":{"limits":{"cpu":2,"memory":1073741824}}}]}`, main, cu(1, "", "", "", ""))
	cases = append(cases, extendedCases(t, tp, cu)...)
	return cases
}

// extendedCases cover template.extended_resources as flytekit v1.16.24 writes them (accelerator=,
// shared_memory=) and the mistakes the backend rejects, on container and k8s_pod targets.
func extendedCases(t testing.TB, tp func(custom, req, lim string) *core.TaskTemplate, cu func(n int, wreq, wlim, sreq, slim string) string) []struct {
	name string
	tmpl *core.TaskTemplate
} {
	var out []struct {
		name string
		tmpl *core.TaskTemplate
	}
	add := func(name string, tmpl *core.TaskTemplate, er *core.ExtendedResources) {
		tmpl.ExtendedResources = er
		out = append(out, struct {
			name string
			tmpl *core.TaskTemplate
		}{name, tmpl})
	}
	gpu := func(device string) *core.GPUAccelerator { return &core.GPUAccelerator{Device: device} }
	part := func(device, size string) *core.GPUAccelerator {
		return &core.GPUAccelerator{Device: device, PartitionSizeValue: &core.GPUAccelerator_PartitionSize{PartitionSize: size}}
	}
	unpart := func(device string, v bool) *core.GPUAccelerator {
		return &core.GPUAccelerator{Device: device, PartitionSizeValue: &core.GPUAccelerator_Unpartitioned{Unpartitioned: v}}
	}
	shm := func(size string) *core.SharedMemory {
		return &core.SharedMemory{MountPath: "/dev/shm", MountName: "flyte-shared-memory", SizeLimit: size}
	}
	add("accT4", tp(cu(2, "", "CPU=2,MEMORY=8Gi", "", ""), "", "GPU=1"), &core.ExtendedResources{GpuAccelerator: gpu("nvidia-tesla-t4")})
	add("accPartitionReqOnly", tp(cu(1, "", "", "", ""), "GPU=1", ""), &core.ExtendedResources{GpuAccelerator: part("nvidia-tesla-a100", "1g.5gb")})
	add("accUnpartitioned", tp(cu(1, "", "", "CPU=1", ""), "", "GPU=2"), &core.ExtendedResources{GpuAccelerator: unpart("nvidia-a100-80gb", true)})
	add("accUnpartitionedFalse", tp(cu(1, "", "", "", ""), "", "GPU=1"), &core.ExtendedResources{GpuAccelerator: unpart("nvidia-a100-80gb", false)})
	add("accNoDevice", tp(cu(1, "", "", "", ""), "", "GPU=1"), &core.ExtendedResources{GpuAccelerator: part("", "2g.10gb")})
	add("accNoTaskGPU", tp(cu(2, "", "GPU=1,CPU=1,MEMORY=1Gi", "", ""), "", ""), &core.ExtendedResources{GpuAccelerator: gpu("nvidia-tesla-t4")})
	add("accZeroGPU", tp(cu(1, "", "", "", ""), "", "GPU=0"), &core.ExtendedResources{GpuAccelerator: gpu("nvidia-l4")})
	it := tp(cu(2, "", "CPU=1,MEMORY=1Gi", "", ""), "GPU=1", "")
	it.Metadata.InterruptibleValue = &core.TaskMetadata_Interruptible{Interruptible: true}
	add("accInterruptible", it, &core.ExtendedResources{GpuAccelerator: gpu("nvidia-tesla-v100"), SharedMemory: shm("")})
	add("shmTrue", tp(cu(1, "", "", "", ""), "", "MEMORY=4Gi"), &core.ExtendedResources{SharedMemory: shm("")})
	add("shmSize", tp(cu(3, "", "CPU=1,MEMORY=2Gi", "", ""), "", ""), &core.ExtendedResources{SharedMemory: shm("2Gi")})
	add("shmSizeOdd", tp(cu(1, "", "", "", ""), "", ""), &core.ExtendedResources{SharedMemory: shm("1.5e9")})
	add("shmBadSize", tp(cu(1, "", "", "CPU=abc", ""), "", ""), &core.ExtendedResources{SharedMemory: shm("2GB")})
	add("shmNoName", tp(cu(1, "", "", "", ""), "", ""), &core.ExtendedResources{SharedMemory: &core.SharedMemory{MountPath: "/dev/shm"}})
	add("shmNoPath", tp(cu(1, "", "", "", ""), "", ""), &core.ExtendedResources{SharedMemory: &core.SharedMemory{MountName: "x"}})
	add("bothEmpty", tp(cu(1, "", "", "", ""), "", ""), &core.ExtendedResources{})
	add("accAndShm", tp(cu(4, "", "CPU=4,MEMORY=16Gi", "CPU=1,MEMORY=2Gi", ""), "CPU=4,GPU=1", "MEMORY=16Gi,GPU=1"),
		&core.ExtendedResources{GpuAccelerator: part("nvidia-tesla-a100", "3g.20gb"), SharedMemory: shm("8Gi")})

	// k8s_pod targets: the pod spec's affinity, tolerations, volumes and mounts come first.
	main := map[string]string{"primary_container_name": "main"}
	podTmpl := func(spec string) *core.TaskTemplate {
		tmpl := tp(cu(2, "", "", "", ""), "", "")
		tmpl.Config = main
		tmpl.Target = &core.TaskTemplate_K8SPod{K8SPod: &core.K8SPod{PodSpec: mustStruct(t, spec)}}
		return tmpl
	}
	add("podAccShm", podTmpl(`{"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[`+
		`{"matchExpressions":[{"key":"pool","operator":"In","values":["dask"]}]},{"matchExpressions":[{"key":"zone","operator":"Exists"}]}]}}},`+
		`"tolerations":[{"key":"dask","operator":"Exists","effect":"NoSchedule"}],"volumes":[{"name":"data","emptyDir":{}},{"name":"cache","emptyDir":{"medium":"Memory","sizeLimit":"1Gi"}}],`+
		`"containers":[{"name":"main","image":"pod:1","resources":{"limits":{"gpu":"1"}},"volumeMounts":[{"name":"data","mountPath":"/data"}]}]}`),
		&core.ExtendedResources{GpuAccelerator: part("nvidia-tesla-a100", "1g.5gb"), SharedMemory: shm("")})
	add("podSidecarGPU", podTmpl(`{"containers":[{"name":"main","image":"pod:1"},{"name":"side","image":"side:1","resources":{"limits":{"nvidia.com/gpu":"1"}}}]}`),
		&core.ExtendedResources{GpuAccelerator: gpu("nvidia-l4")})
	// A sidecar that only requests a GPU gets the accelerator too: ApplyResourceOverrides writes
	// Limits[nvidia.com/gpu] once it is requested, and ApplyGPUNodeSelectors tests the key.
	add("podSidecarGPUReqOnly", podTmpl(`{"containers":[{"name":"main","image":"pod:1"},{"name":"side","image":"side:1","resources":{"requests":{"nvidia.com/gpu":"1"}}}]}`),
		&core.ExtendedResources{GpuAccelerator: gpu("nvidia-l4")})
	add("podSidecarGPUName", podTmpl(`{"containers":[{"name":"main","image":"pod:1"},{"name":"side","image":"side:1","resources":{"requests":{"gpu":"1"}}}]}`),
		&core.ExtendedResources{GpuAccelerator: gpu("nvidia-l4")})
	add("podPrimaryGPUReqOnly", podTmpl(`{"containers":[{"name":"main","image":"pod:1","resources":{"requests":{"gpu":"1"}}}]}`),
		&core.ExtendedResources{GpuAccelerator: gpu("nvidia-l4"), SharedMemory: shm("1Gi")})
	add("podShmVolumeClash", podTmpl(`{"volumes":[{"name":"flyte-shared-memory","emptyDir":{}}],"containers":[{"name":"main","image":"pod:1"}]}`),
		&core.ExtendedResources{SharedMemory: shm("")})
	add("podShmMountNameClash", podTmpl(`{"containers":[{"name":"main","image":"pod:1","volumeMounts":[{"name":"flyte-shared-memory","mountPath":"/x"}]}]}`),
		&core.ExtendedResources{SharedMemory: shm("")})
	add("podShmMountPathClash", podTmpl(`{"containers":[{"name":"main","image":"pod:1","volumeMounts":[{"name":"other","mountPath":"/dev/shm"}]},{"name":"side","image":"s","volumeMounts":[{"name":"flyte-shared-memory","mountPath":"/dev/shm"}]}]}`),
		&core.ExtendedResources{SharedMemory: shm("")})
	return out
}

func backendCasePlatforms(t testing.TB) map[string]Platform {
	// list builds a ResourceList from cpu, memory, GPU and ephemeral-storage quantities ("" = unset).
	list := func(cpu, mem, gpu, eph string) ResourceList {
		l := ResourceList{}
		for name, v := range map[string]string{ResourceCPU: cpu, ResourceMemory: mem, ResourceGPU: gpu, ResourceEphemeralStorage: eph} {
			if v != "" {
				l[name] = resource.MustParse(v)
			}
		}
		return l
	}
	return map[string]Platform{
		"default": DefaultPlatform(),
		"empty":   {},
		"spec":    {DefaultRequests: list("4", "10G", "", ""), Limits: list("10", "24G", "", "")},
		"gpu":     {DefaultRequests: list("2", "2Gi", "1", "5Gi"), Limits: list("4", "8Gi", "2", "20Gi")},
		"zero":    {DefaultRequests: list("0", "0", "", "")},
	}
}

// TestBackendCasesGolden keeps testdata/backend_cases.jsonl (the differential test's input and
// Explain's expected answers) in sync with Explain. Regenerate with -update, then re-run the
// differential check in internal/backendverify.
func TestBackendCasesGolden(t *testing.T) {
	platforms := backendCasePlatforms(t)
	platNames := keysOf(platforms)
	sort.Strings(platNames)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for _, tc := range backendCaseTemplates(t) {
		raw, err := proto.MarshalOptions{Deterministic: true}.Marshal(tc.tmpl)
		require.NoError(t, err)
		for _, pn := range platNames {
			p := platforms[pn]
			out := backendCase{Name: tc.name + "/" + pn, Template: base64.StdEncoding.EncodeToString(raw),
				PlatReq: canonical(p.DefaultRequests), PlatLim: canonical(p.Limits)}
			job, err := Explain(tc.tmpl, p)
			if err != nil {
				out.Err = err.Error()
			} else {
				job.Notes = nil // notes are Explain's own; the backend has none
				out.Job = job
			}
			require.NoError(t, enc.Encode(out))
		}
	}
	checkGolden(t, "backend_cases.jsonl", buf.Bytes())
}
