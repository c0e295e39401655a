// Package fastregister knows the fast-register placeholders that `flytectl register files`
// (v0.9.4, cmd/register/register_util.go, hydrateTaskSpec) replaces in container arguments, for
// package register (which sends what flytectl sends) and the CLI (which warns about them).
package fastregister

import (
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
)

const (
	// RemotePackagePath is replaced by the upload location of the bundle's fast*.tar.gz source
	// archive, or by "" when the bundle has none (exact whole-argument match).
	RemotePackagePath = "{{ .remote_package_path }}"
	// DestDir is replaced by flytectl's --destinationDirectory, default ".".
	DestDir = "{{ .dest_dir }}"
)

// UsesRemotePackagePath reports whether spec has a container argument [RemotePackagePath] (in its
// container or in a k8s_pod pod spec's containers).
func UsesRemotePackagePath(spec *admin.TaskSpec) bool {
	return TemplateUsesRemotePackagePath(spec.GetTemplate())
}

// TemplateUsesRemotePackagePath is UsesRemotePackagePath of a template.
func TemplateUsesRemotePackagePath(tt *core.TaskTemplate) bool {
	has := func(args []string) bool {
		for _, a := range args {
			if a == RemotePackagePath {
				return true
			}
		}
		return false
	}
	if ctr := tt.GetContainer(); ctr != nil {
		return has(ctr.GetArgs())
	}
	if ps := tt.GetK8SPod().GetPodSpec(); ps != nil {
		for _, c := range ps.GetFields()["containers"].GetListValue().GetValues() {
			for _, a := range c.GetStructValue().GetFields()["args"].GetListValue().GetValues() {
				if a.GetStringValue() == RemotePackagePath {
					return true
				}
			}
		}
	}
	return false
}
