package bundle_test

import (
	"bytes"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"

	"github.com/flytedask/flytedask/bundle"
)

// exampleSpec is a minimal TaskSpec; real ones come from the task package.
func exampleSpec(name string) *admin.TaskSpec {
	return &admin.TaskSpec{Template: &core.TaskTemplate{
		Id:        &core.Identifier{ResourceType: core.ResourceType_TASK, Name: name},
		Type:      "dask",
		Metadata:  &core.TaskMetadata{Runtime: &core.RuntimeMetadata{Type: core.RuntimeMetadata_OTHER, Version: "0.1.0", Flavor: "go"}},
		Interface: &core.TypedInterface{},
		Target: &core.TaskTemplate_Container{Container: &core.Container{
			Image: "ghcr.io/example/dask:1", Args: []string{"python", "-m", "job"},
		}},
	}}
}

func ExampleFileName() {
	fmt.Println(bundle.FileName(0, 1, "mypkg.prepare"))
	fmt.Println(bundle.FileName(3, 10, "mypkg.prepare"))
	fmt.Println(bundle.FileName(3, 11, "mypkg.prepare"))
	fmt.Println(bundle.FileName(42, 101, "mypkg.prepare"))
	// Output:
	// 0_mypkg.prepare_1.pb
	// 3_mypkg.prepare_1.pb
	// 03_mypkg.prepare_1.pb
	// 042_mypkg.prepare_1.pb
}

func ExampleWriteArchive() {
	specs := []*admin.TaskSpec{exampleSpec("mypkg.prepare"), exampleSpec("mypkg.train")}
	var buf bytes.Buffer
	if err := bundle.WriteArchive(&buf, specs); err != nil {
		log.Fatal(err)
	}
	b, err := bundle.Read(&buf)
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range b.Tasks {
		fmt.Println(t.Path, t.Name())
	}
	// Output:
	// 0_mypkg.prepare_1.pb mypkg.prepare
	// 1_mypkg.train_1.pb mypkg.train
}

func ExampleWriteFile() {
	dir, err := os.MkdirTemp("", "bundle-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	path := filepath.Join(dir, bundle.DefaultArchiveName)
	if err := bundle.WriteFile(path, []*admin.TaskSpec{exampleSpec("mypkg.train")}); err != nil {
		log.Fatal(err)
	}
	fmt.Println(filepath.Base(path))
	// Register it with: flytectl register files flyte-package.tgz --archive -p <project> -d <domain> --version <v>

	// Errors say which task is wrong and how to fix it.
	err = bundle.WriteFile(path, []*admin.TaskSpec{exampleSpec("a/b")})
	fmt.Println(err != nil)
	// Output:
	// flyte-package.tgz
	// true
}

func ExampleReadFile() {
	b, err := bundle.ReadFile("../testdata/pyflyte/flyte-package.tgz")
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range b.Tasks {
		fmt.Println("task:", t.Path)
	}
	for _, w := range b.Workflows {
		fmt.Println("workflow:", w.Path)
	}
	for _, l := range b.LaunchPlans {
		fmt.Println("launch plan:", l.Path)
	}
	for _, s := range b.Skipped {
		fmt.Println(s.Kind+":", s.Path)
	}
	// Output:
	// task: 0_myapp.workflows.example.say_hello_1.pb
	// workflow: 1_myapp.workflows.example.my_wf_2.pb
	// launch plan: 2_myapp.workflows.example.my_wf_3.pb
	// fast-source: fastf5f188e159f61e00271e16ed59786c44.tar.gz
}

func ExampleRead() {
	f, err := os.Open(filepath.Join("..", "testdata", "pyflyte", "flyte-package.tgz"))
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	b, err := bundle.Read(f)
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range b.Tasks {
		fmt.Println("task", t.Name())
	}
	for _, w := range b.Workflows {
		fmt.Println("workflow", w.Name())
	}
	for _, l := range b.LaunchPlans {
		fmt.Println("launch plan", l.Name(), "of workflow", l.Spec.GetSpec().GetWorkflowId().GetName())
	}
	fmt.Println(len(b.Skipped), "skipped")
	// Output:
	// task myapp.workflows.example.say_hello
	// workflow myapp.workflows.example.my_wf
	// launch plan myapp.workflows.example.my_wf of workflow myapp.workflows.example.my_wf
	// 1 skipped
}

func ExampleWriteDir() {
	parent, err := os.MkdirTemp("", "bundle-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(parent)
	dir := filepath.Join(parent, "pb")
	if err := bundle.WriteDir(dir, []*admin.TaskSpec{exampleSpec("mypkg.prepare")}); err != nil {
		log.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		fmt.Println(e.Name())
	}
	// Output: 0_mypkg.prepare_1.pb
}

func ExampleWriteFileFunc() {
	dir, err := os.MkdirTemp("", "bundle-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	// Each spec is built when the writer asks for it and dropped after it is written.
	path := filepath.Join(dir, bundle.DefaultArchiveName)
	err = bundle.WriteFileFunc(path, 3, func(i int) (*admin.TaskSpec, error) {
		return exampleSpec(fmt.Sprintf("mypkg.step_%d", i)), nil
	})
	if err != nil {
		log.Fatal(err)
	}
	b, err := bundle.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range b.Tasks {
		fmt.Println(t.Path)
	}
	// Output:
	// 0_mypkg.step_0_1.pb
	// 1_mypkg.step_1_1.pb
	// 2_mypkg.step_2_1.pb
}
