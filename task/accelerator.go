package task

import (
	"fmt"
	"sort"
	"strings"
)

// acceleratorDevices are flytekit's predefined accelerators
// (flytekit/extras/accelerators.py, v1.16.24): the constant's name and its
// device.
var acceleratorDevices = map[string]string{
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

// acceleratorPartitions are the partitions (and TPU slices) flytekit
// predefines on its multi-instance accelerators, as attribute name →
// partition size: A100.partition_1g_5gb is "1g.5gb". These accelerators also
// have .unpartitioned.
var acceleratorPartitions = map[string]map[string]string{
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

// AcceleratorNames returns the names ParseAccelerator knows, sorted: each
// of flytekit's predefined accelerators (T4, A100, ...) and, for the
// multi-instance ones, NAME.unpartitioned and NAME.<partition>.
func AcceleratorNames() []string {
	var out []string
	for name := range acceleratorDevices {
		out = append(out, name)
		if parts, ok := acceleratorPartitions[name]; ok {
			out = append(out, name+".unpartitioned")
			for attr := range parts {
				out = append(out, name+"."+attr)
			}
		}
	}
	sort.Strings(out)
	return out
}

// ParseAccelerator returns the accelerator flytekit's constant of that name
// writes (flytekit/extras/accelerators.py, v1.16.24): "T4" is
// {Device: "nvidia-tesla-t4"}, "A100" is {Device: "nvidia-tesla-a100"} with
// no partition preference, "A100.unpartitioned" asks for a whole GPU and
// "A100.partition_1g_5gb" for the 1g.5gb partition. Names are
// case-sensitive, as in Python. For a device flytekit does not name, use an
// Accelerator literal: Accelerator{Device: "nvidia-tesla-v100"}.
func ParseAccelerator(name string) (Accelerator, error) {
	base, attr, dotted := strings.Cut(name, ".")
	device, ok := acceleratorDevices[base]
	if !ok {
		return Accelerator{}, fmt.Errorf("unknown accelerator %q%s", name, hint(name))
	}
	if !dotted {
		return Accelerator{Device: device}, nil
	}
	parts, multi := acceleratorPartitions[base]
	if !multi {
		return Accelerator{}, fmt.Errorf("unknown accelerator %q: %s has no partitions (flytekit's %s is a whole GPU)", name, base, base)
	}
	if attr == "unpartitioned" {
		return Accelerator{Device: device, Unpartitioned: true}, nil
	}
	size, ok := parts[attr]
	if !ok {
		return Accelerator{}, fmt.Errorf("unknown accelerator %q%s", name, hint(name))
	}
	return Accelerator{Device: device, PartitionSize: size}, nil
}

// hint suggests the known name that differs from name only in case, '_',
// '-' or '.', or lists a few names.
func hint(name string) string {
	norm := strings.NewReplacer("_", "", "-", "", ".", "").Replace
	for _, known := range AcceleratorNames() {
		if strings.EqualFold(norm(known), norm(name)) {
			return ": did you mean " + known + "? (names are case-sensitive, as in flytekit)"
		}
	}
	return fmt.Sprintf(": use one of flytekit's names (%s, ...; see AcceleratorNames)", strings.Join([]string{"T4", "A10G", "L4", "H100", "A100", "A100.partition_1g_5gb"}, ", "))
}

// knownPartitions returns flytekit's partition sizes for device, and
// whether flytekit names device as a multi-instance accelerator.
func knownPartitions(device string) ([]string, bool) {
	for name, d := range acceleratorDevices {
		if d != device {
			continue
		}
		parts, ok := acceleratorPartitions[name]
		if !ok {
			return nil, false
		}
		sizes := make([]string, 0, len(parts))
		for _, size := range parts {
			sizes = append(sizes, size)
		}
		sort.Strings(sizes)
		return sizes, true
	}
	return nil, false
}

func isKnownDevice(device string) bool {
	for _, d := range acceleratorDevices {
		if d == device {
			return true
		}
	}
	return false
}
