package task

import (
	"fmt"
	"sort"
	"strings"

	"github.com/flytedask/flytedask/internal/accelerators"
)

// ParseAccelerator returns the accelerator flytekit's constant of that name
// writes (flytekit/extras/accelerators.py, v1.16.24): "T4" is
// {Device: "nvidia-tesla-t4"}, "A100" is {Device: "nvidia-tesla-a100"} with
// no partition preference, "A100.unpartitioned" asks for a whole GPU and
// "A100.partition_1g_5gb" for the 1g.5gb partition. Names are
// case-sensitive, as in Python. For a device flytekit does not name, use an
// Accelerator literal: Accelerator{Device: "nvidia-tesla-v100"}.
func ParseAccelerator(name string) (Accelerator, error) {
	base, attr, dotted := strings.Cut(name, ".")
	device, ok := accelerators.Devices[base]
	if !ok {
		return Accelerator{}, fmt.Errorf("unknown accelerator %q%s", name, hint(name))
	}
	if !dotted {
		return Accelerator{Device: device}, nil
	}
	parts, multi := accelerators.Partitions[base]
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
	if known, ok := accelerators.Near(name); ok {
		return ": did you mean " + known + "? (names are case-sensitive, as in flytekit)"
	}
	return fmt.Sprintf(": use one of flytekit's names (%s, ...; see flytekit.extras.accelerators)", strings.Join([]string{"T4", "A10G", "L4", "H100", "A100", "A100.partition_1g_5gb"}, ", "))
}

// knownPartitions returns flytekit's partition sizes for device, and
// whether flytekit names device as a multi-instance accelerator.
func knownPartitions(device string) ([]string, bool) {
	for name, d := range accelerators.Devices {
		if d != device {
			continue
		}
		parts, ok := accelerators.Partitions[name]
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
	for _, d := range accelerators.Devices {
		if d == device {
			return true
		}
	}
	return false
}
