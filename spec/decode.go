package spec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"

	"github.com/flytedask/flytedask/field"
	"github.com/flytedask/flytedask/internal/specfile"
	"github.com/flytedask/flytedask/launchplan"
	"github.com/flytedask/flytedask/task"
)

// Source is one spec file to decode.
type Source struct {
	// Name identifies the file in problems, e.g. the path given on the
	// command line.
	Name string
	// Data is the YAML text.
	Data []byte
}

// Options configure Decode. The zero value decodes and validates.
type Options struct {
	// Project, Domain and Version, when non-nil, replace the values the spec
	// files set (the CLI's --project, --domain and --version flags); files
	// that disagree about a value replaced this way are not an error.
	Project, Domain, Version *string
	// SkipValidation makes Decode report decoding problems only, without
	// calling task.Task.Validate.
	SkipValidation bool
}

// Spec is the decoded content of one or more spec files.
type Spec struct {
	// Settings are the registration coordinates: the files' top-level
	// project, domain and version, replaced by Options.
	Settings task.Settings
	// Tasks are the tasks of all files, in order, with the defaults of
	// their file merged in.
	Tasks []task.Task
	// Origins says where each task was written; Origins[i] is Tasks[i]'s.
	// A Spec built by hand may leave it short or nil: problems about a task
	// without an Origin carry only its tasks[i] path.
	Origins []Origin
	// LaunchPlans are the launch plans of all files, in order, each with
	// the task it names (launchplan.LaunchPlan.Task) resolved from Tasks.
	LaunchPlans []launchplan.LaunchPlan

	lpOrigins []lpOrigin
	withFiles bool
	// sources are the files' texts by name: the line of a path is looked up (by decoding the file
	// again) only when a problem or warning needs it, so a valid spec keeps no per-path line table.
	sources map[string][]byte
}

// Origin is where a task was written.
type Origin struct {
	// File is the Source name.
	File string
	// Index is the position in the file's tasks list.
	Index int
	// Line is the line of the task's list item.
	Line int
}

// Path returns tasks[Index], the prefix of the task's field paths.
func (o Origin) Path() *field.Path { return field.NewPath("tasks").Index(o.Index) }

// ReadFiles reads the named files and decodes them with Decode.
func ReadFiles(opts Options, paths ...string) (*Spec, error) {
	sources := make([]Source, 0, len(paths))
	for _, p := range paths {
		src, err := ReadSource(p)
		if err != nil {
			return nil, fmt.Errorf("spec: %w", err)
		}
		sources = append(sources, src)
	}
	return Decode(sources, opts)
}

// syntaxProblem returns the line and message of the YAML parser's error
// err about data, with a hint where the parser's own message is cryptic.
func syntaxProblem(data []byte, err error) (int, string) {
	if !utf8.Valid(data) && !hasUTF16BOM(data) {
		bad := 0
		for bad < len(data) {
			r, size := utf8.DecodeRune(data[bad:])
			if r == utf8.RuneError && size == 1 {
				break
			}
			bad += size
		}
		line := bytes.Count(data[:bad], []byte("\n")) + 1
		return line, fmt.Sprintf("the file is not UTF-8 text (invalid byte %#x): save it as UTF-8", data[bad])
	}
	msg := err.Error()
	m := yamlLineErr.FindStringSubmatch(msg)
	if m == nil {
		return 0, strings.TrimPrefix(msg, "yaml: ")
	}
	line, _ := strconv.Atoi(m[1])
	msg = m[2]
	if strings.HasPrefix(msg, "found character that cannot start any token") && indentedWithTab(data, line) {
		msg += ": the line is indented with a tab; YAML indents with spaces only"
	}
	return line, msg
}

// hasUTF16BOM reports whether data starts with a UTF-16 byte order mark
// (the YAML parser reads UTF-16 too).
func hasUTF16BOM(data []byte) bool {
	return bytes.HasPrefix(data, []byte{0xFE, 0xFF}) || bytes.HasPrefix(data, []byte{0xFF, 0xFE})
}

// indentedWithTab reports whether the indentation of line (1-based) of
// data holds a tab.
func indentedWithTab(data []byte, line int) bool {
	lines := bytes.SplitN(data, []byte("\n"), line+1)
	if line < 1 || line > len(lines) {
		return false
	}
	l := lines[line-1]
	indent := l[:len(l)-len(bytes.TrimLeft(l, " \t"))]
	return bytes.IndexByte(indent, '\t') >= 0
}

// ReadSource reads the spec file at path (at most 8 MiB and one byte:
// Decode reports larger files) as a Source named path. Errors are
// *fs.PathError values naming path; a directory is an error too.
func ReadSource(path string) (Source, error) {
	f, err := os.Open(path)
	if err != nil {
		return Source{}, err
	}
	defer f.Close()
	var size int64
	if fi, err := f.Stat(); err == nil {
		if fi.IsDir() {
			return Source{}, &fs.PathError{Op: "read", Path: path, Err: errIsDir}
		}
		if fi.Mode().IsRegular() {
			size = fi.Size()
		}
	}
	data, err := specfile.ReadLimited(f, size)
	if err != nil {
		var perr *fs.PathError
		if errors.As(err, &perr) {
			return Source{}, err
		}
		return Source{}, &fs.PathError{Op: "read", Path: path, Err: err}
	}
	return Source{Name: path, Data: data}, nil
}

// errIsDir is the cause of ReadSource's error for a directory.
var errIsDir = errors.New("is a directory, not a spec file")

// fileResult is one decoded file.
type fileResult struct {
	name                     string
	top                      problems // the file as a whole and its top-level keys
	project, domain, version *setting
	defaults                 problems
	tasks                    []taskResult
	lps                      []lpResult
	lines                    map[string]int // nil until lineMap is called, unless decoded with lines
	src                      Source
}

// hasProblems reports whether decoding found any problem in the file.
func (f *fileResult) hasProblems() bool {
	if len(f.top.list) > 0 || len(f.defaults.list) > 0 {
		return true
	}
	for _, t := range f.tasks {
		if len(t.probs.list) > 0 {
			return true
		}
	}
	for _, l := range f.lps {
		if len(l.probs.list) > 0 {
			return true
		}
	}
	return false
}

// lineMap returns the line of every path written in the file, decoding it again the first time.
func (f *fileResult) lineMap() map[string]int {
	if f.lines == nil {
		f.lines = fileLines(f.src)
	}
	return f.lines
}

// fileLines decodes src again for the line of every path written in it.
func fileLines(src Source) map[string]int {
	return decodeFile(src, true).lines
}

type setting struct {
	value string
	line  int
}

type taskResult struct {
	doc    *taskDoc
	origin Origin
	probs  problems
}

var yamlLineErr = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// decodeFile decodes one file; withLines records the line of every path (see lineMap). It never
// panics on bad input.
func decodeFile(src Source, withLines bool) (res *fileResult) {
	res = &fileResult{name: src.Name, src: src}
	if withLines {
		res.lines = map[string]int{}
	}
	w := &walker{file: src.Name, budget: maxNodeVisits, out: &res.top, lines: res.lines}
	fileProblem := func(line int, format string, args ...any) {
		res.top.add(Problem{File: src.Name, Line: line, Type: ErrorTypeSyntax, Message: fmt.Sprintf(format, args...)}, true)
	}
	if len(src.Data) > specfile.MaxSize {
		fileProblem(0, "file is larger than %d bytes", specfile.MaxSize)
		return res
	}
	dec := yaml.NewDecoder(bytes.NewReader(src.Data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			fileProblem(0, "the file is empty: a spec needs at least a tasks list")
			return res
		}
		line, msg := syntaxProblem(src.Data, err)
		fileProblem(line, "invalid YAML: %s", msg)
		return res
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		line := extra.Line
		if err != nil {
			line = 0
		}
		fileProblem(line, "a spec file holds one YAML document; remove the second one (or the '---' separator) or split it into another file")
		return res
	}

	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(errTooComplex); !ok {
				panic(r)
			}
			res = &fileResult{name: src.Name, src: src, lines: map[string]int{}}
			res.top.add(Problem{File: src.Name, Type: ErrorTypeSyntax,
				Message: fmt.Sprintf("the document is too complex: more than %d YAML nodes to visit (anchors and aliases count each time they are used)", maxNodeVisits)}, true)
		}
	}()

	if len(doc.Content) == 0 {
		fileProblem(0, "the file is empty: a spec needs at least a tasks list")
		return res
	}
	root := w.resolve(doc.Content[0])
	var defaultsNode, tasksNode, lpsNode *yaml.Node
	if root.Kind != yaml.MappingNode {
		w.fail(root, nil, ErrorTypeWrongType, true, "a spec file must be a mapping with the keys project, domain, version, defaults, tasks and launch_plans, got %s", describe(root))
		return res
	}
	w.fields(root, nil, []string{"project", "domain", "version", "defaults", "tasks", "launch_plans"}, nil, func(key string, v *yaml.Node, kp *field.Path) {
		switch key {
		case "project", "domain", "version":
			if s, ok := w.str(v, kp); ok {
				st := &setting{value: s, line: v.Line}
				switch key {
				case "project":
					res.project = st
				case "domain":
					res.domain = st
				default:
					res.version = st
				}
			}
		case "defaults":
			defaultsNode = v
		case "tasks":
			tasksNode = v
		case "launch_plans":
			lpsNode = v
		}
	})
	if lpsNode != nil {
		w.out = &res.top
		res.lps = w.launchPlans(lpsNode, src.Name)
	}

	var defaults *taskDoc
	if defaultsNode != nil {
		w.out = &res.defaults
		defaults = w.task(defaultsNode, field.NewPath("defaults"), true)
	}
	tp := field.NewPath("tasks")
	switch {
	case tasksNode == nil:
		w.out = &res.top
		w.fail(root, tp, field.ErrorTypeRequired, false, "a spec needs a tasks list with at least one task")
	case tasksNode.Kind != yaml.SequenceNode:
		w.out = &res.top
		w.wrongType(tasksNode, tp, "a list of tasks")
	case len(tasksNode.Content) == 0:
		w.out = &res.top
		w.fail(tasksNode, tp, field.ErrorTypeRequired, false, "the tasks list is empty: add at least one task")
	}
	if tasksNode == nil || tasksNode.Kind != yaml.SequenceNode {
		return res
	}
	res.tasks = make([]taskResult, 0, len(tasksNode.Content))
	for i, item := range tasksNode.Content {
		tr := taskResult{origin: Origin{File: src.Name, Index: i, Line: item.Line}}
		w.out = &tr.probs
		item = w.resolve(item)
		p := tp.Index(i)
		if isNull(item) {
			w.wrongType(item, p, "a task mapping")
		} else {
			td := w.task(item, p, false)
			tr.doc = merge(defaults, td)
			if tr.doc.dask == nil && !tr.probs.blocking && !res.defaults.blocking {
				w.fail(item, p.Child("dask"), field.ErrorTypeRequired, false,
					"a Dask task needs a dask block: write dask: {} for flytekit's Dask() (one worker; images and resources inherited from the task)")
			}
		}
		res.tasks = append(res.tasks, tr)
		// Nothing reads the task's nodes again (an alias elsewhere points at its node, not at this
		// slot): drop them, so that the tree of a large spec is garbage task by task during the walk
		// rather than all at its end.
		tasksNode.Content[i] = nil
	}
	return res
}

// Decode decodes the spec files in order into one Spec: their tasks are
// concatenated, each merged with the defaults block of its own file, and
// their settings combined (files that set the same setting must agree,
// unless Options replaces it). Unless Options.SkipValidation is set, every
// task is then validated with task.Task.Validate.
//
// A file larger than 8 MiB is a problem, and so is no file at all (as a file
// without tasks is). On any problem Decode returns a nil Spec and an *Error
// listing every problem of every file that could be found, in spec order. Tasks with
// decoding problems (and all tasks of a file whose defaults block has them)
// are not validated, so a typo does not cause a cascade of follow-up errors.
func Decode(sources []Source, opts Options) (*Spec, error) {
	if len(sources) == 0 {
		return nil, &Error{Problems: []Problem{{Type: field.ErrorTypeRequired,
			Message: "no spec files: a spec needs at least one file with a tasks list"}}}
	}
	withFiles := len(sources) > 1
	files := make([]*fileResult, len(sources))
	for i, src := range sources {
		// Lines are recorded only for a file with problems (the walk's own problems name the line
		// of the closest written path); validation problems below look them up lazily.
		if files[i] = decodeFile(src, false); files[i].hasProblems() {
			files[i] = decodeFile(src, true)
		}
	}

	var top []Problem
	settings := task.Settings{}
	combine := func(key string, override *string, get func(*fileResult) *setting, into *string) {
		if override != nil {
			*into = *override
			return
		}
		var first *setting
		var firstFile string
		for _, f := range files {
			s := get(f)
			if s == nil {
				continue
			}
			if first == nil {
				first, firstFile = s, f.name
				*into = s.value
				continue
			}
			if s.value != first.value {
				top = append(top, Problem{File: f.name, Line: s.line, Path: key, Type: field.ErrorTypeInvalid, Message: fmt.Sprintf(
					"%q conflicts with %s %q set in %s: set it in one file only, or pass --%s", s.value, key, first.value, firstFile, key)})
			}
		}
	}
	combine("project", opts.Project, func(f *fileResult) *setting { return f.project }, &settings.Project)
	combine("domain", opts.Domain, func(f *fileResult) *setting { return f.domain }, &settings.Domain)
	combine("version", opts.Version, func(f *fileResult) *setting { return f.version }, &settings.Version)

	s := &Spec{Settings: settings, withFiles: withFiles, sources: map[string][]byte{}}
	for _, f := range files {
		s.sources[f.name] = f.src.Data
	}
	var all []Problem
	// The version is checked once, not per task. It is reported with the file's top-level problems, in line order
	// (first of all when it came from Options).
	if !opts.SkipValidation {
		getVersion := func(f *fileResult) *setting { return f.version }
		for _, e := range task.ValidateSettings(settings) {
			p := Problem{File: settingFile(files, getVersion, opts.Version), Line: settingLine(files, getVersion, opts.Version),
				Path: "version", Type: e.Type, Message: e.Detail}
			if p.File == "" {
				all = append(all, p)
				continue
			}
			for _, f := range files {
				if f.name == p.File {
					f.top.list = append(f.top.list, p)
					sort.SliceStable(f.top.list, func(i, j int) bool { return f.top.list[i].Line < f.top.list[j].Line })
					break
				}
			}
		}
	}
	// The tasks slice is allocated once: growing it by appending would copy every task.Task
	// (several hundred bytes each) again at each doubling.
	n := 0
	for _, f := range files {
		n += len(f.tasks)
	}
	s.Tasks = make([]task.Task, 0, n)
	s.Origins = make([]Origin, 0, n)
	seen := make(map[string]Origin, n)
	for _, f := range files {
		all = append(all, f.top.list...)
		if len(top) > 0 {
			// Settings conflicts are reported with the file that introduces them.
			var rest []Problem
			for _, p := range top {
				if p.File == f.name {
					all = append(all, p)
				} else {
					rest = append(rest, p)
				}
			}
			top = rest
		}
		all = append(all, f.defaults.list...)
		for k, tr := range f.tasks {
			if tr.doc == nil {
				all = append(all, tr.probs.list...)
				continue
			}
			taskProbs := append([]Problem(nil), tr.probs.list...)
			s.Tasks = s.Tasks[:len(s.Tasks)+1]
			t := &s.Tasks[len(s.Tasks)-1]
			tr.doc.toTask(t)
			f.tasks[k].doc = nil // converted: let the collector have it
			p := tr.origin.Path()
			if t.Name != "" {
				if prev, dup := seen[t.Name]; dup {
					where := prev.Path().String()
					if withFiles {
						where = prev.File + ": " + where
					}
					taskProbs = append(taskProbs, Problem{File: f.name, Line: lineOf(f.lineMap(), p.Child("name").String(), tr.origin.Line), Path: p.Child("name").String(), Type: field.ErrorTypeDuplicate,
						Message: fmt.Sprintf("duplicate task name %q: also defined at %s (line %d)", t.Name, where, prev.Line)})
				} else {
					seen[t.Name] = tr.origin
				}
			}
			if !opts.SkipValidation && !f.top.blocking && !f.defaults.blocking {
				for _, e := range validationErrors(t, settings) {
					if e.Field == "version" {
						continue // reported once, above
					}
					rel := varPath(e.Field, t)
					path := p.Join(rel)
					if overlapsAny(path, tr.probs.list) {
						continue // a follow-up of a problem already reported for this field
					}
					msg := e.Detail
					if _, inTask := f.lineMap()[path]; !inTask {
						if l, inDefaults := f.lineMap()[field.NewPath("defaults").Join(rel)]; inDefaults {
							msg += fmt.Sprintf(" (the value comes from defaults, line %d)", l)
						}
					}
					taskProbs = append(taskProbs, Problem{File: f.name, Line: lineOf(f.lineMap(), path, tr.origin.Line), Path: path, Type: e.Type, Message: msg})
				}
			}
			// Spec order: by line; problems on one line keep the order they were found in.
			if len(taskProbs) > 1 {
				sort.SliceStable(taskProbs, func(i, j int) bool { return taskProbs[i].Line < taskProbs[j].Line })
			}
			all = append(all, taskProbs...)
			s.Origins = append(s.Origins, tr.origin)
		}
	}
	s.resolveLaunchPlans(files, opts, &all)
	if len(all) > 0 {
		return nil, &Error{Problems: all, WithFiles: withFiles}
	}
	return s, nil
}

// settingFile names the file a setting came from ("" for a flag).
func settingFile(files []*fileResult, get func(*fileResult) *setting, override *string) string {
	if override != nil {
		return ""
	}
	for _, f := range files {
		if get(f) != nil {
			return f.name
		}
	}
	return ""
}

// settingLine is the line of the setting in settingFile (0 for a flag).
func settingLine(files []*fileResult, get func(*fileResult) *setting, override *string) int {
	if override != nil {
		return 0
	}
	for _, f := range files {
		if s := get(f); s != nil {
			return s.line
		}
	}
	return 0
}

// validationErrors returns t's validation problems with task-relative paths.
func validationErrors(t *task.Task, s task.Settings) field.ErrorList {
	err := t.Validate(s)
	if err == nil {
		return nil
	}
	var verr *field.ValidationError
	if errors.As(err, &verr) {
		return verr.Errors
	}
	return field.ErrorList{{Type: field.ErrorTypeInvalid, Detail: err.Error()}}
}

// lineOf returns the line path (or its closest written ancestor) is at in
// lines, or fallback.
func lineOf(lines map[string]int, path string, fallback int) int {
	for path != "" {
		if l, ok := lines[path]; ok {
			return l
		}
		cut := strings.LastIndexAny(path, ".[")
		if cut < 0 {
			break
		}
		path = path[:cut]
	}
	return fallback
}

var varIndexPath = regexp.MustCompile(`^(inputs|outputs)\[(\d+)\]`)

// varPath rewrites the core's inputs[i] / outputs[i] (an index into the
// sorted slice) to inputs[NAME], the key written in the spec.
func varPath(path string, t *task.Task) string {
	m := varIndexPath.FindStringSubmatchIndex(path)
	if m == nil {
		return path
	}
	vars := t.Inputs
	if path[m[2]:m[3]] == "outputs" {
		vars = t.Outputs
	}
	i, err := strconv.Atoi(path[m[4]:m[5]])
	if err != nil || i < 0 || i >= len(vars) {
		return path
	}
	return path[m[2]:m[3]] + "[" + vars[i].Name + "]" + path[m[1]:]
}

// overlapsAny reports whether path is the path of one of probs, inside it,
// or one of its parents: a validation error there only repeats a decoding
// problem (a value of the wrong type was left unset, say).
func overlapsAny(path string, probs []Problem) bool {
	for _, pr := range probs {
		if pr.Path == "" || within(path, pr.Path) || within(pr.Path, path) {
			return true
		}
	}
	return false
}

// within reports whether path is p or below it.
func within(path, p string) bool {
	if !strings.HasPrefix(path, p) {
		return false
	}
	rest := path[len(p):]
	return rest == "" || rest[0] == '.' || rest[0] == '['
}
