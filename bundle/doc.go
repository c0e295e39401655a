// Package bundle writes and reads registrable bundles: the archives (and directories) of binary
// protobuf files that `flytectl register files` accepts and `pyflyte package` / `pyflyte serialize`
// produce.
//
// # Format
//
// A bundle holds one file per entity: a task is a binary admin.TaskSpec (never a bare
// core.TaskTemplate, which flytectl cannot register) named "{idx}_{name}_1.pb" (see FileName),
// where name is spec.Template.Id.Name and idx the zero-padded position; a workflow is an
// admin.WorkflowSpec in "{idx}_{name}_2.pb", a launch plan an admin.LaunchPlan in
// "{idx}_{name}_3.pb". One index runs over all files (pyflyte's padding), in dependency order (tasks,
// workflows, launch plans; see Entities.WriteArchive). flytectl sorts the file paths and registers
// in that order, and (v0.7.5+) uses the suffix to pick the message type it decodes first.
//
// Archives are tar (".tar") or gzip-compressed tar (".tgz", ".tar.gz"; DefaultArchiveName is
// "flyte-package.tgz"), with the files at the archive root. flytectl rejects archives holding other
// files (README, manifests), so nothing else is written.
//
// # Writing
//
// WriteArchive streams a bundle of tasks to an io.Writer (Entities.WriteArchive one of tasks,
// workflows and launch plans), WriteFile writes an archive file atomically
// (temporary file + rename; the extension picks the format), WriteDir writes loose files into an
// empty or new directory (temporary directory + rename). Output is deterministic: the same specs
// give byte-identical archives (deterministic proto encoding, fixed tar and gzip headers; see
// WriteArchive for the exact header values and the limits of that promise).
//
// Ids: by default every template id is written with empty project, domain and version, as today's
// `pyflyte package` writes them, for the registering command (`flytectl register files -p -d
// --version`) to fill; WithPinnedIDs keeps them. Bundles of flytekit before 1.0 carry
// "{{ registration.* }}" placeholders there instead, which readers and flytectl treat alike.
//
// Write functions check only what the file layout needs (non-nil spec/template/id, a usable and
// unique name); whether a task is valid for FlyteAdmin is for the caller to check before.
//
// # Reading
//
// Read, ReadFile and the Bundle type give the tasks, workflows and launch plans of a bundle in
// registration order (Bundle.Entities returns them as Entities), and list every other file with
// the reason it is not one of them (Skipped, Kind). Everything flytectl accepts is
// accepted, including the pyflyte layouts seen in practice (a leading "/" directory entry,
// "./core/_pb_output/" sub-folders, 1- to 3-digit indexes, fast-register source archives, macOS
// junk files). Input is treated as untrusted: path traversal, links and devices, oversized members,
// gzip bombs and absurd entry counts are rejected with typed errors (see Read and Limits), and the
// reader never panics (fuzzed by FuzzRead).
//
// # Errors
//
// Every error about the content (a spec, an archive member, a directory entry) wraps a sentinel
// (ErrInvalidSpec, ErrUnsafePath, ErrTooLarge, ...) for errors.Is; *SpecError carries the index of a
// rejected spec, *EntryError the archive member, for errors.As. I/O errors of the caller's reader,
// writer or file system and invalid options are returned wrapped, without a sentinel.
//
// # Dependencies
//
// Only the standard library, google.golang.org/protobuf, the generated admin/core types of
// github.com/flyteorg/flyte/flyteidl v1.16.8, and the SDK's field package (for the shared
// ErrInvalidSpec sentinel). No gRPC.
package bundle
