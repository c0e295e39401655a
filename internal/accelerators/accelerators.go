// Package accelerators holds flytekit's predefined accelerator names (flytekit/extras/accelerators.py,
// v1.16.24), which task.ParseAccelerator resolves and spec's decoder uses for its did-you-mean hints.
package accelerators

import (
	"sort"
	"strings"
)

// Devices are flytekit's predefined accelerators
// (flytekit/extras/accelerators.py, v1.16.24): the constant's name and its
// device.
var Devices = map[string]string{
	"A10G":         "nvidia-a10g",
	"L4":           "nvidia-l4",
	"L4_VWS":       "nvidia-l4-vws",
	"L40S":         "nvidia-l40s",
	"K80":          "nvidia-tesla-k80",
	"M60":          "nvidia-tesla-m60",
	"P4":           "nvidia-tesla-p4",
	"P100":         "nvidia-tesla-p100",
	"T4":           "nvidia-tesla-t4",
	"V100":         "nvidia-tesla-v100",
	"H100":         "nvidia-h100",
	"H200":         "nvidia-h200",
	"RTX_PRO_6000": "nvidia-rtx-pro-6000",
	"A100":         "nvidia-tesla-a100",
	"A100_80GB":    "nvidia-a100-80gb",
	"V5E":          "tpu-v5-lite-podslice",
	"V5P":          "tpu-v5p-slice",
	"V6E":          "tpu-v6e-slice",
}

// Partitions are the partitions (and TPU slices) flytekit
// predefines on its multi-instance accelerators, as attribute name →
// partition size: A100.partition_1g_5gb is "1g.5gb". These accelerators also
// have .unpartitioned.
var Partitions = map[string]map[string]string{
	"A100": {
		"partition_1g_5gb": "1g.5gb", "partition_2g_10gb": "2g.10gb", "partition_3g_20gb": "3g.20gb",
		"partition_4g_20gb": "4g.20gb", "partition_7g_40gb": "7g.40gb",
	},
	"A100_80GB": {
		"partition_1g_10gb": "1g.10gb", "partition_2g_20gb": "2g.20gb", "partition_3g_40gb": "3g.40gb",
		"partition_4g_40gb": "4g.40gb", "partition_7g_80gb": "7g.80gb",
	},
	"V5E": {
		"slice_1x1": "1x1", "slice_2x2": "2x2", "slice_2x4": "2x4", "slice_4x4": "4x4",
		"slice_4x8": "4x8", "slice_8x8": "8x8", "slice_8x16": "8x16", "slice_16x16": "16x16",
	},
	"V5P": {
		"slice_2x2x1": "2x2x1", "slice_2x2x2": "2x2x2", "slice_2x4x4": "2x4x4", "slice_4x4x4": "4x4x4",
		"slice_4x4x8": "4x4x8", "slice_4x8x8": "4x8x8", "slice_8x8x8": "8x8x8", "slice_8x8x16": "8x8x16",
		"slice_8x16x16": "8x16x16", "slice_16x16x16": "16x16x16", "slice_16x16x24": "16x16x24",
	},
	"V6E": {
		"slice_1x1": "1x1", "slice_2x2": "2x2", "slice_2x4": "2x4", "slice_4x4": "4x4",
		"slice_4x8": "4x8", "slice_8x8": "8x8", "slice_8x16": "8x16", "slice_16x16": "16x16",
	},
}

// Names returns the names task.ParseAccelerator knows, sorted: each of flytekit's predefined
// accelerators (T4, A100, ...) and, for the multi-instance ones, NAME.unpartitioned and
// NAME.<partition>.
func Names() []string {
	var out []string
	for name := range Devices {
		out = append(out, name)
		if parts, ok := Partitions[name]; ok {
			out = append(out, name+".unpartitioned")
			for attr := range parts {
				out = append(out, name+"."+attr)
			}
		}
	}
	sort.Strings(out)
	return out
}

// Near returns the known name that differs from name only in case, '_', '-' or '.' (t4, a100-80gb).
func Near(name string) (string, bool) {
	norm := strings.NewReplacer("_", "", "-", "", ".", "").Replace
	for _, known := range Names() {
		if strings.EqualFold(norm(known), norm(name)) {
			return known, true
		}
	}
	return "", false
}
