// Package panicflow reports panics in Lambda handlers.
package panicflow

import (
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/analysis"

	"gofn/workloads/lint/internal/lambdaflow"
)

// Analyzer reports panic (and log.Panic) called in the body of a Lambda handler.
var Analyzer = &analysis.Analyzer{
	Name: "panicflow",
	Doc: `report panic used for control flow in a Lambda handler

aws-lambda-go recovers a handler's panic, reports it as the invocation's error and then exits
the process: the caller gets a Runtime error instead of the handler's, and the next invocation
pays a cold start. Return an error instead.`,
	Run: run,
}

func run(pass *analysis.Pass) (any, error) {
	report := lambdaflow.NewReporter(pass)
	for _, h := range lambdaflow.Handlers(pass) {
		lambdaflow.InspectBody(h.Body, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			what := ""
			if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok {
				if b, ok := pass.TypesInfo.Uses[id].(*types.Builtin); ok && b.Name() == "panic" {
					what = "panic"
				}
			}
			fn := lambdaflow.Callee(pass.TypesInfo, call)
			if lambdaflow.IsFunc(fn, "log", "Panic", "Panicf", "Panicln") ||
				lambdaflow.IsMethod(fn, "log", "Logger", "Panic", "Panicf", "Panicln") {
				what = "log." + fn.Name()
			}
			if what != "" {
				report.Report(call, what+" in Lambda handler "+h.Name+
					": aws-lambda-go reports it as a Runtime error and then exits the process, so the caller"+
					" never gets the handler's own error and the next invocation pays a cold start; return an error instead")
			}
			return true
		})
	}
	return nil, nil
}
