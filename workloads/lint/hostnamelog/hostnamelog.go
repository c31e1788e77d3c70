// Package hostnamelog reports os.Hostname() written to the logs.
package hostnamelog

import (
	"go/ast"

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
	hostnames := lambdaflow.CallResults(pass, func(call *ast.CallExpr) string {
		if lambdaflow.IsFunc(lambdaflow.Callee(info, call), "os", "Hostname") {
			return "os.Hostname()"
		}
		return ""
	})
	if len(hostnames) == 0 {
		return nil, nil
	}
	isHostname := func(e ast.Expr) bool {
		id, ok := e.(*ast.Ident)
		if !ok {
			return false
		}
		_, found := hostnames[info.Uses[id]]
		return found
	}
	lambdaflow.ReportLogged(pass, report, isHostname, func(ast.Expr) string {
		return "os.Hostname() in a log field: on Lambda it is the sandbox's name, which" +
			" identifies neither the function, its version nor the execution environment anywhere you" +
			" can look it up; drop it, or log AWS_LAMBDA_LOG_STREAM_NAME (one stream per execution" +
			" environment) and the request ID"
	})
	return nil, nil
}
