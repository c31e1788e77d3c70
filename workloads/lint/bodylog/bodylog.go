// Package bodylog reports whole request bodies and events written to the logs.
package bodylog

import (
	"go/ast"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"

	"gofn/workloads/lint/internal/lambdaflow"
)

// Analyzer reports log lines that carry a whole request body or event.
var Analyzer = &analysis.Analyzer{
	Name: "bodylog",
	Doc: `report whole request bodies logged

A request body or event can be megabytes. Every log line is billed at CloudWatch Logs
ingestion, and is kept for the log group's retention with whatever personal data or secrets it
carries. Found: the Body of an aws-lambda-go request or message (and an SNS message), a whole
event that carries one, a handler's raw payload ([]byte, json.RawMessage), and what
io.ReadAll read from an http.Request's Body, when one reaches a slog or log call or fmt's
printers to stdout and stderr. Logging its size, or fields picked from it, is not reported.`,
	Run: run,
}

func run(pass *analysis.Pass) (any, error) {
	report := lambdaflow.NewReporter(pass)
	info := pass.TypesInfo
	bodies := readBodies(pass)
	for _, h := range lambdaflow.Handlers(pass) {
		for _, field := range h.Type.Params.List {
			if isRawPayload(info.TypeOf(field.Type)) {
				for _, name := range field.Names {
					if obj := info.Defs[name]; obj != nil {
						bodies[obj] = "the raw event " + name.Name
					}
				}
			}
		}
	}
	carries := map[*types.Named]bool{}
	describe := func(e ast.Expr) string {
		if sel, ok := e.(*ast.SelectorExpr); ok {
			if owner := lambdaflow.EventsType(info.TypeOf(sel.X)); owner != nil && isBodyField(owner, sel.Sel.Name) {
				return "the whole " + owner.Obj().Name() + "." + sel.Sel.Name
			}
		}
		if id, ok := e.(*ast.Ident); ok {
			if what, ok := bodies[info.Uses[id]]; ok {
				return what
			}
		}
		if t := info.TypeOf(e); t != nil {
			if named := lambdaflow.EventsType(t); named != nil && carriesBody(named, carries, 0) {
				return "a whole events." + named.Obj().Name()
			}
		}
		return ""
	}
	lambdaflow.ReportLogged(pass, report, func(e ast.Expr) bool { return describe(e) != "" }, func(found ast.Expr) string {
		return "logs " + describe(found) + ": a payload can be megabytes, each log line is billed at" +
			" CloudWatch Logs ingestion and kept for the log group's retention with the personal data and" +
			" secrets in it; log its size and the fields you need (an ID), or a short redacted excerpt"
	})
	return nil, nil
}

// readBodies finds the variables holding what io.ReadAll read from an http.Request's Body, or
// a dump of a request with its body.
func readBodies(pass *analysis.Pass) map[types.Object]string {
	info := pass.TypesInfo
	return lambdaflow.CallResults(pass, func(call *ast.CallExpr) string {
		fn := lambdaflow.Callee(info, call)
		what := ""
		switch {
		case lambdaflow.IsFunc(fn, "io", "ReadAll") && len(call.Args) == 1:
			if sel, ok := ast.Unparen(call.Args[0]).(*ast.SelectorExpr); ok && sel.Sel.Name == "Body" &&
				lambdaflow.IsNamed(info.TypeOf(sel.X), "net/http", "Request") {
				what = "the request body read by io.ReadAll"
			}
		case lambdaflow.IsFunc(fn, "net/http/httputil", "DumpRequest", "DumpRequestOut") && len(call.Args) == 2:
			if tv, ok := info.Types[call.Args[1]]; !ok || tv.Value == nil || tv.Value.String() != "false" {
				what = "a dump of the request with its body"
			}
		}
		return what
	})
}

// isRawPayload: a handler parameter holding the event's bytes as they came.
func isRawPayload(t types.Type) bool {
	if t == nil {
		return false
	}
	if lambdaflow.IsNamed(t, "encoding/json", "RawMessage") {
		return true
	}
	s, ok := types.Unalias(t).(*types.Slice)
	if !ok {
		return false
	}
	b, ok := types.Unalias(s.Elem()).(*types.Basic)
	return ok && b.Kind() == types.Byte
}

// isBodyField: the field of an events type that holds a request's or message's payload.
func isBodyField(owner *types.Named, field string) bool {
	if strings.HasSuffix(owner.Obj().Name(), "Response") {
		return false
	}
	return field == "Body" || (owner.Obj().Name() == "SNSEntity" && field == "Message")
}

// carriesBody: an events type with a payload field, directly or in its records.
func carriesBody(named *types.Named, memo map[*types.Named]bool, depth int) bool {
	if v, ok := memo[named]; ok {
		return v
	}
	memo[named] = false
	st, ok := named.Underlying().(*types.Struct)
	if !ok || depth > 3 {
		return false
	}
	for i := 0; i < st.NumFields(); i++ {
		f := st.Field(i)
		if isBodyField(named, f.Name()) {
			memo[named] = true
			return true
		}
		t := f.Type()
		if s, ok := types.Unalias(t).(*types.Slice); ok {
			t = s.Elem()
		}
		if inner := lambdaflow.EventsType(t); inner != nil && carriesBody(inner, memo, depth+1) {
			memo[named] = true
			return true
		}
	}
	return false
}
