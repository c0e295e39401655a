package literal_test

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"

	"github.com/flytedask/flytedask/field"
	"github.com/flytedask/flytedask/literal"
)

func ExampleOf() {
	t := &core.LiteralType{Type: &core.LiteralType_Simple{Simple: core.SimpleType_DATETIME}}
	l, err := literal.Of(t, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	if err != nil {
		panic(err)
	}
	fmt.Println(l.GetScalar().GetPrimitive().GetDatetime().AsTime())

	_, err = literal.Of(&core.LiteralType{Type: &core.LiteralType_Simple{Simple: core.SimpleType_INTEGER}}, "3")
	fmt.Println(err)
	// Output:
	// 2026-01-02 03:04:05 +0000 UTC
	// want integer, got the string "3"
}

func ExampleParse() {
	listOfInts := &core.LiteralType{Type: &core.LiteralType_CollectionType{
		CollectionType: &core.LiteralType{Type: &core.LiteralType_Simple{Simple: core.SimpleType_INTEGER}}}}
	l, err := literal.Parse(listOfInts, "[1, 2, 3]")
	if err != nil {
		panic(err)
	}
	fmt.Println(len(l.GetCollection().GetLiterals()))

	_, err = literal.Parse(listOfInts, "[1, 2.5]")
	fmt.Println(err)
	// Output:
	// 3
	// [1]: want integer, got "2.5"
}

func ExampleMap() {
	inputs := map[string]*core.Variable{
		"n":      {Type: &core.LiteralType{Type: &core.LiteralType_Simple{Simple: core.SimpleType_INTEGER}}},
		"run_at": {Type: &core.LiteralType{Type: &core.LiteralType_Simple{Simple: core.SimpleType_DATETIME}}},
	}
	_, err := literal.Map(field.NewPath("fixed_inputs"), inputs, map[string]any{"n": 2.5, "m": 1})
	fmt.Println(err)
	// Output:
	// 2 validation errors:
	//	fixed_inputs[m]: unknown input "m": the inputs are n (integer), run_at (datetime)
	//	fixed_inputs[n]: want integer, got the float 2.5
}

func ExampleValue() {
	mapOfFiles := &core.LiteralType{Type: &core.LiteralType_MapValueType{
		MapValueType: &core.LiteralType{Type: &core.LiteralType_Blob{Blob: &core.BlobType{}}}}}
	l, err := literal.Parse(mapOfFiles, `{"train": "s3://bucket/train.parquet"}`)
	if err != nil {
		panic(err)
	}
	v, err := literal.Value(l)
	if err != nil {
		panic(err)
	}
	out, _ := json.Marshal(v)
	fmt.Println(string(out))
	// Output: {"train":"s3://bucket/train.parquet"}
}

func ExampleTypeString() {
	t := &core.LiteralType{Type: &core.LiteralType_CollectionType{CollectionType: &core.LiteralType{
		Type: &core.LiteralType_MapValueType{MapValueType: &core.LiteralType{Type: &core.LiteralType_Simple{Simple: core.SimpleType_FLOAT}}}}}}
	fmt.Println(literal.TypeString(t))
	// Output: list[map[float]]
}

// ParseMap is what `flytedask run -i NAME=VALUE` needs: text per input, converted by the interface.
func ExampleParseMap() {
	inputs := map[string]*core.Variable{
		"n":    {Type: &core.LiteralType{Type: &core.LiteralType_Simple{Simple: core.SimpleType_INTEGER}}},
		"tags": {Type: &core.LiteralType{Type: &core.LiteralType_CollectionType{CollectionType: &core.LiteralType{Type: &core.LiteralType_Simple{Simple: core.SimpleType_STRING}}}}},
	}
	lm, err := literal.ParseMap(field.NewPath("inputs"), inputs, map[string]string{"n": "3", "tags": "[a, b]"})
	if err != nil {
		panic(err)
	}
	fmt.Println(lm.GetLiterals()["n"].GetScalar().GetPrimitive().GetInteger(), len(lm.GetLiterals()["tags"].GetCollection().GetLiterals()))
	fmt.Println(literal.Names(inputs))
	// Output:
	// 3 2
	// [n tags]
}
