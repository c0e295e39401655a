package cli

import (
	"os"
	"testing"
)

func TestZZProf(t *testing.T) {
	p := os.Getenv("ZZ_SPEC")
	if p == "" {
		t.Skip()
	}
	t.Setenv("HOME", t.TempDir())
	side := os.Getenv("ZZ_SIDE")
	if side == "floor" {
		if err := floorPackage(p, t.TempDir()+"/f.tgz"); err != nil {
			t.Fatal(err)
		}
		return
	}
	if err := cliPackage(p, t.TempDir()+"/c.tgz"); err != nil {
		t.Fatal(err)
	}
}
