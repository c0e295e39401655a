package field_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flytedask/flytedask/field"
)

func TestPath(t *testing.T) {
	var root *field.Path
	assert.Equal(t, "", root.String())
	assert.Equal(t, "a", root.Child("a").String())
	p := field.NewPath("tasks").Index(1).Child("dask", "workers").Child("limits").Child("mem")
	assert.Equal(t, "tasks[1].dask.workers.limits.mem", p.String())
	assert.Equal(t, "environment[LOG_LEVEL]", field.NewPath("environment").Key("LOG_LEVEL").String())
	assert.Equal(t, "tasks[0].x", field.NewPath("tasks").Index(0).Join("x"))
	assert.Equal(t, "tasks[0][1]", field.NewPath("tasks").Index(0).Join("[1]"))
	assert.Equal(t, "x", root.Join("x"))
	assert.Equal(t, "tasks", field.NewPath("tasks").Join(""))
	assert.Equal(t, "a[-1]", root.Child("a").Index(-1).String(), "a negative index renders as written")
	assert.Equal(t, "[0][KEY].b[12]", root.Index(0).Key("KEY").Child("b").Index(12).String())
	assert.Equal(t, "x", (&field.Path{}).Child("x").String(), "the zero Path is an element with an empty name")
	deep := field.NewPath("a")
	want := "a"
	for i := 0; i < 40; i++ { // deeper than String's stack buffer
		deep = deep.Child("b").Index(i)
		want += fmt.Sprintf(".b[%d]", i)
	}
	assert.Equal(t, want, deep.String())
}

func TestErrorList(t *testing.T) {
	var l field.ErrorList
	assert.NoError(t, l.Err(), "an empty list is no error")

	l = append(l,
		field.Required(field.NewPath("name"), "the task name is required"),
		field.Invalid(field.NewPath("dask", "workers", "limits", "mem"), "2gi", `invalid quantity "2gi"`),
		field.NotSupported(field.NewPath("secrets").Index(0).Child("mount_requirement"), "disk", []string{"any", "env_var"}),
	)
	err := l.Prefix(field.NewPath("tasks").Index(2)).Err()
	require.Error(t, err)
	assert.Equal(t, "3 validation errors:\n"+
		"\ttasks[2].name: the task name is required\n"+
		"\ttasks[2].dask.workers.limits.mem: invalid quantity \"2gi\"\n"+
		"\ttasks[2].secrets[0].mount_requirement: unsupported value \"disk\": use one of \"any\", \"env_var\"", err.Error())
	assert.Equal(t, "name", l[0].Field, "Prefix copies, it does not modify the list")

	var verr *field.ValidationError
	require.True(t, errors.As(err, &verr))
	assert.Len(t, verr.Errors, 3)
	var fe *field.Error
	require.True(t, errors.As(fmt.Errorf("wrapped: %w", err), &fe), "errors.As reaches the first *field.Error")
	assert.Equal(t, field.ErrorTypeRequired, fe.Type)
	assert.True(t, errors.Is(err, verr.Errors[1]))

	one := field.ErrorList{field.Forbidden(field.NewPath("command"), "set either python or command")}.Err()
	assert.Equal(t, "validation error: command: set either python or command", one.Error())
}

func TestWarnings(t *testing.T) {
	var ws field.Warnings
	ws.Add(field.NewPath("dask", "workers", "limits"), "workers-no-limits", "set worker limits")
	ws.Add(nil, "global", "no path")
	got := ws.Prefix(field.NewPath("tasks").Index(0))
	assert.Equal(t, "tasks[0].dask.workers.limits: set worker limits [workers-no-limits]", got[0].String())
	assert.Equal(t, "tasks[0]: no path [global]", got[1].String())
	assert.Equal(t, "no path [global]", ws[1].String())
}
