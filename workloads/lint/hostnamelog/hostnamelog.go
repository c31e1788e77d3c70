// Package hostnamelog reports os.Hostname() written to the logs.
package hostnamelog

import (
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"

	"gofn/workloads/lint/internal/lambdaflow"
)

// Analyzer reports log lines that carry the result of os.Hostname().
var Analyzer = &analysis.Analyzer{
	Name: "hostnamelog",
	Doc: `report os.Hostname() in log fields

On Lambda the hostname belongs to the sandbox: it names neither the function, its version nor
the execution environment in any console or query, so a "host" field only adds bytes and looks
like an identity it is not. The execution environment is the log stream (each writes its own,
AWS_LAMBDA_LOG_STREAM_NAME); the invocation is the request ID.`,
	Run: run,
}

func run(pass *analysis.Pass) (any, error) {
	report := lambdaflow.NewReporter(pass)
	info := pass.TypesInfo
	hostnames := map[types.Object]bool{}
	bind := func(lhs []ast.Expr, rhs ast.Expr) {
		call, ok := ast.Unparen(rhs).(*ast.CallExpr)
		if !ok || len(lhs) == 0 || !lambdaflow.IsFunc(lambdaflow.Callee(info, call), "os", "Hostname") {
			return
		}
		if id, ok := lhs[0].(*ast.Ident); ok {
			if obj := info.ObjectOf(id); obj != nil {
				hostnames[obj] = true
			}
		}
	}
	for _, f := range pass.Files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.AssignStmt:
				if len(x.Rhs) == 1 {
					bind(x.Lhs, x.Rhs[0])
				}
			case *ast.ValueSpec:
				if len(x.Values) == 1 && len(x.Names) > 0 {
					bind([]ast.Expr{x.Names[0]}, x.Values[0])
				}
			}
			return true
		})
	}
	if len(hostnames) == 0 {
		return nil, nil
	}
	isHostname := func(e ast.Expr) bool {
		id, ok := e.(*ast.Ident)
		return ok && hostnames[info.Uses[id]]
	}
	reported := map[token.Pos]bool{}
	for _, f := range pass.Files {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || !lambdaflow.IsLogCall(info, call) {
				return true
			}
			for _, arg := range call.Args {
				if found := lambdaflow.Find(info, arg, isHostname); found != nil && !reported[found.Pos()] {
					reported[found.Pos()] = true
					report.Report(found, "os.Hostname() in a log field: on Lambda it is the sandbox's name, which"+
						" identifies neither the function, its version nor the execution environment anywhere you"+
						" can look it up; drop it, or log AWS_LAMBDA_LOG_STREAM_NAME (one stream per execution"+
						" environment) and the request ID")
				}
			}
			return true
		})
	}
	return nil, nil
}
