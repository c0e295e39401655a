package cli

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/spf13/cobra"

	"github.com/flytedask/flytedask/bundle"
	"github.com/flytedask/flytedask/internal/taskhook"
	"github.com/flytedask/flytedask/spec"
)

func newPackageCmd(e *Env) *cobra.Command {
	var f specFlags
	var output string
	var pin bool
	cmd := &cobra.Command{
		Use:   "package -f SPEC.yaml [-o flyte-package.tgz|DIR|-] [--pin [--project P --domain D --version V]]",
		Short: "Validate a spec and write the registrable bundle",
		Long: `package validates the spec files and writes their tasks as a bundle that
"flytectl register files --archive" (archives) or "flytectl register files
DIR/*" (directories) registers.

-o chooses the output:
  -o NAME.tgz, NAME.tar.gz  gzip-compressed tar archive (default flyte-package.tgz)
  -o NAME.tar               plain tar archive
  -o -                      the .tgz archive on stdout (the summary goes to stderr)
  -o DIR                    any other name: a directory of .pb files; it must
                            not exist or be empty (names that look like other
                            archives, e.g. .zip or .TGZ, are refused)
Files are written atomically: on any error nothing is created or changed.
The same spec always gives byte-identical output.

Like pyflyte package, the bundle leaves project, domain and version to the
command that registers it: they are empty in every task id, so "flytectl
register files --archive -p P -d D --version V" (or "flytedask register
BUNDLE --project P --domain D --version V") registers the tasks as P/D/V. --pin writes the spec's (or the
flags') values instead; flytectl then registers the tasks under the pinned
version and ignores its --version unless --force (project and domain still
come from its -p/-d); a note on stderr says so.

It prints one summary line, "wrote N tasks to PATH sha256:HEX", to stdout,
and the warnings to stderr. For an archive HEX is the sha256 of the file; for
a directory it is the sha256 of the manifest "sha256sum" prints for its files
in name order: (cd DIR && sha256sum * | sha256sum).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			if err := checkArchiveTarget(output); err != nil {
				return err
			}
			var opts []bundle.WriteOption
			if pin {
				opts = append(opts, bundle.WithPinnedIDs())
			}
			fl := cmd.Flags()
			flagsGiven := fl.Changed("project") || fl.Changed("domain") || fl.Changed("version")
			s, _, err := f.load(e)
			if err != nil {
				return err
			}
			packageIDNote(e, s.Settings, pin, flagsGiven)
			if len(s.LaunchPlans) > 0 {
				// Workflows and launch plans are small; the tasks are built with them. The built
				// specs are only written (taskhook.Customs).
				ents, err := buildEntities(s, taskhook.NewCustoms())
				if err != nil {
					return e.reportSpecError(err)
				}
				return writePackage(e, output, ents, opts...)
			}
			if output != "-" && isArchivePath(output) {
				// An archive file streams: each task is built, written and dropped in turn, so
				// the built specs of a large spec are never all in memory.
				return writePackageFile(e, output, s, opts...)
			}
			specs, err := buildSpec(s, taskhook.NewCustoms())
			if err != nil {
				return e.reportSpecError(err)
			}
			return writePackage(e, output, bundle.Entities{Tasks: specs}, opts...)
		},
	}
	f.register(cmd)
	cmd.Flags().StringVarP(&output, "output", "o", bundle.DefaultArchiveName, "output: archive file (.tgz, .tar.gz, .tar), directory, or - for stdout")
	cmd.Flags().BoolVar(&pin, "pin", false, "write project, domain and version into the bundle instead of leaving them empty for the registering command (flytectl then ignores its --version unless --force)")
	return cmd
}

// isArchivePath reports whether -o names an archive (by the extensions
// flytectl accepts) rather than a directory.
func isArchivePath(p string) bool {
	_, err := bundle.FormatForPath(p)
	return err == nil && !strings.HasSuffix(p, string(filepath.Separator)) && !strings.HasSuffix(p, "/")
}

// archiveLike are extensions of archive names that flytectl does not
// accept: -o refuses them rather than creating a directory of that name.
var archiveLike = []string{".tgz", ".tar.gz", ".tar", ".gz", ".zip", ".bz2", ".xz", ".zst", ".tbz2", ".txz"}

func checkOutput(p string) error {
	if p == "" {
		return usageErrorf("-o: empty output path; use a file name, a directory or -")
	}
	if p == "-" || isArchivePath(p) {
		return nil
	}
	lower := strings.ToLower(strings.TrimRight(p, "/"+string(filepath.Separator)))
	for _, ext := range archiveLike {
		if strings.HasSuffix(lower, ext) {
			return usageErrorf("-o %s: looks like an archive flytectl cannot read; name it *.tgz, *.tar.gz or *.tar (case matters), or use a directory name", p)
		}
	}
	return nil
}

// checkArchiveTarget fails when an archive -o cannot be written: it is
// an existing directory, or its directory is missing or not a directory.
// (Directory outputs are checked by bundle.WriteDir.)
func checkArchiveTarget(p string) error {
	if p == "-" || !isArchivePath(p) {
		return nil
	}
	if fi, err := os.Stat(p); err == nil && fi.IsDir() {
		return failf("-o %s: is a directory; remove it or choose another archive name", p)
	}
	parent := filepath.Dir(p)
	fi, err := os.Stat(parent)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return failf("-o %s: directory %s does not exist; create it first (mkdir -p %s)", p, parent, parent)
	case err != nil:
		return failf("-o %s: %w", p, err)
	case !fi.IsDir():
		return failf("-o %s: %s is not a directory", p, parent)
	}
	return nil
}

// errTaskBuild marks a task that failed to build while the archive was written.
var errTaskBuild = errors.New("a task does not build")

// writePackageFile writes the tasks of s to the archive file output as bundle.WriteFile would,
// building each task when the writer asks for it (bundle.WriteFileFunc). s comes from load, which
// validated every task: they are built without validating them again (see buildSpec). A task
// that does not build is reported as spec.Spec.Build reports it, with nothing written.
func writePackageFile(e *Env, output string, s *spec.Spec, opts ...bundle.WriteOption) error {
	// Each spec is marshalled as soon as it is built and then dropped: tasks with the same Dask
	// configuration can share one custom struct (taskhook.Customs).
	customs := taskhook.NewCustoms()
	err := bundle.WriteFileFunc(output, len(s.Tasks), func(i int) (*admin.TaskSpec, error) {
		ts, err := taskhook.Build(&s.Tasks[i], s.Settings, customs)
		if err != nil {
			return nil, errTaskBuild
		}
		return ts, nil
	}, opts...)
	if errors.Is(err, errTaskBuild) {
		if _, berr := s.Build(); berr != nil {
			return e.reportSpecError(berr)
		}
	}
	if err != nil {
		return fail(err)
	}
	d, err := fileDigest(output)
	if err != nil {
		return fail(err)
	}
	printPackageSummary(e.Stdout, plural(len(s.Tasks), "task"), output, d)
	return nil
}

// printPackageSummary prints "wrote WHAT to WHERE sha256:DIGEST", WHAT being "N tasks" or, with
// workflows or launch plans, "1 task, 1 workflow, 3 launch plans" (describeEntities).
func printPackageSummary(w io.Writer, what, where, digest string) {
	fmt.Fprintf(w, "wrote %s to %s sha256:%s\n", what, where, digest)
}

func writePackage(e *Env, output string, ents bundle.Entities, opts ...bundle.WriteOption) error {
	var digest, where string
	summary := e.Stdout
	switch {
	case output == "-":
		var buf bytes.Buffer
		if err := ents.WriteArchive(&buf, opts...); err != nil {
			return fail(err)
		}
		sum := sha256.Sum256(buf.Bytes())
		if _, err := e.Stdout.Write(buf.Bytes()); err != nil {
			return failf("write stdout: %w", err)
		}
		digest, where, summary = hex.EncodeToString(sum[:]), "stdout", e.Stderr
	case isArchivePath(output):
		if err := ents.WriteFile(output, opts...); err != nil {
			return fail(err)
		}
		d, err := fileDigest(output)
		if err != nil {
			return fail(err)
		}
		digest, where = d, output
	default:
		if err := ents.WriteDir(output, opts...); err != nil {
			return fail(err)
		}
		d, err := dirDigest(output)
		if err != nil {
			return fail(err)
		}
		digest, where = d, output
	}
	printPackageSummary(summary, describeEntities(ents), where, digest)
	return nil
}

func fileDigest(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// dirDigest is the sha256 of `sha256sum *` run in dir (files in name order).
func dirDigest(dir string) (string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	names := make([]string, 0, len(entries))
	for _, ent := range entries {
		if ent.Type().IsRegular() {
			names = append(names, ent.Name())
		}
	}
	sort.Strings(names)
	var manifest bytes.Buffer
	for _, n := range names {
		d, err := fileDigest(filepath.Join(dir, n))
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&manifest, "%s  %s\n", d, n)
	}
	sum := sha256.Sum256(manifest.Bytes())
	return hex.EncodeToString(sum[:]), nil
}
