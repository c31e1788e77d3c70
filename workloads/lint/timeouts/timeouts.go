// Package timeouts reports network and database calls that nothing bounds in time.
package timeouts

import (
	"go/ast"
	"go/constant"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"

	"gofn/workloads/lint/internal/lambdaflow"
)

// Analyzer reports net.Dial, HTTP clients and database/sql use without timeouts, and sql.DB
// pools without a connection lifetime.
var Analyzer = &analysis.Analyzer{
	Name: "timeouts",
	Doc: `report net.Dial, http.Client and database/sql without timeouts or SetConnMaxLifetime

A call with no deadline outlives the invocation: Lambda ends it as "Task timed out" with none
of the handler's own errors or telemetry, after billing the whole timeout. And connections kept
in a pool sit through freezes of minutes or hours, during which the server, RDS Proxy or a NAT
gateway drops them. Reported:
  - net.Dial (not UDP, IP or Unix sockets) and net.DialTCP (TCP connects wait for the kernel,
    about two minutes);
  - http.Get, Head, Post and PostForm, and those methods of http.DefaultClient (no timeout, no context);
  - an http.Client without a Timeout in a package that sends no request with a context;
  - database/sql's methods without a context (Query, Exec, QueryRow, Prepare, Begin, Ping);
  - sql.Open in a package that never calls SetConnMaxIdleTime or SetConnMaxLifetime.`,
	Run: run,
}

const tail = "Lambda freezes or kills the invocation before it gives up"

func run(pass *analysis.Pass) (any, error) {
	report := lambdaflow.NewReporter(pass)
	info := pass.TypesInfo
	var (
		withContext bool // some request in the package is built with a context
		poolSet     bool // some sql.DB in the package gets a connection lifetime
		opens       []*ast.CallExpr
		clients     []*ast.CompositeLit
	)
	for _, f := range pass.Files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.CompositeLit:
				if lambdaflow.IsNamed(info.TypeOf(x), "net/http", "Client") && !hasTimeout(info, x) {
					clients = append(clients, x)
				}
			case *ast.CallExpr:
				fn := lambdaflow.Callee(info, x)
				switch {
				case lambdaflow.IsFunc(fn, "net/http", "NewRequestWithContext"),
					lambdaflow.IsMethod(fn, "net/http", "Request", "WithContext", "Clone"):
					withContext = true
				case lambdaflow.IsMethod(fn, "database/sql", "DB", "SetConnMaxIdleTime", "SetConnMaxLifetime"):
					poolSet = true
				case lambdaflow.IsFunc(fn, "database/sql", "Open", "OpenDB"):
					opens = append(opens, x)
				case lambdaflow.IsFunc(fn, "net", "Dial") && !connectionless(info, x):
					report.Report(x, "net.Dial without a timeout: "+tail+" (an unanswered TCP connect waits"+
						" about two minutes); use (&net.Dialer{Timeout: …}).DialContext(ctx, …) with the handler's context")
				case lambdaflow.IsFunc(fn, "net", "DialTCP"):
					report.Report(x, "net.DialTCP without a timeout: "+tail+" (an unanswered TCP connect waits"+
						" about two minutes); use (&net.Dialer{Timeout: …}).DialContext(ctx, \"tcp\", …) with the handler's context")
				case lambdaflow.IsFunc(fn, "net/http", "Get", "Head", "Post", "PostForm"):
					report.Report(x, "http."+fn.Name()+" uses http.DefaultClient, which has no timeout, and takes no"+
						" context: a server that stops answering holds the invocation until Lambda ends it as Task timed"+
						" out; send http.NewRequestWithContext(ctx, …) with a client that has a Timeout")
				case lambdaflow.IsMethod(fn, "net/http", "Client", "Get", "Head", "Post", "PostForm") && onDefaultClient(info, x):
					report.Report(x, "http.DefaultClient."+fn.Name()+" has no timeout and takes no context: a server"+
						" that stops answering holds the invocation until Lambda ends it as Task timed out; send"+
						" http.NewRequestWithContext(ctx, …) with a client that has a Timeout")
				case isSQLWithoutContext(fn):
					report.Report(x, recvName(fn)+"."+fn.Name()+" has no context: a query waiting on a lock, or on a"+
						" connection that died while the environment was frozen, runs until Lambda kills the"+
						" invocation; use "+fn.Name()+"Context(ctx, …) with the handler's context")
				}
			}
			return true
		})
	}
	if !withContext {
		for _, lit := range clients {
			report.Report(lit, "http.Client without a Timeout, and no request in this package carries a context: a"+
				" server that stops answering holds the invocation until Lambda ends it as Task timed out; set"+
				" Timeout below the function's timeout, or build requests with http.NewRequestWithContext(ctx, …)")
		}
	}
	if !poolSet {
		for _, call := range opens {
			report.Report(call, "sql.Open without SetConnMaxIdleTime or SetConnMaxLifetime: pooled connections sit"+
				" through freezes of minutes to hours while the database, RDS Proxy or a NAT gateway (350 s idle)"+
				" drops them, and the next invocation gets a dead one; call db.SetConnMaxIdleTime below the"+
				" shortest idle timeout on the path")
		}
	}
	return nil, nil
}

// hasTimeout: the literal sets Timeout to something other than a constant zero.
func hasTimeout(info *types.Info, lit *ast.CompositeLit) bool {
	for _, elt := range lit.Elts {
		kv, ok := elt.(*ast.KeyValueExpr)
		if !ok {
			continue
		}
		if key, ok := kv.Key.(*ast.Ident); ok && key.Name == "Timeout" {
			tv := info.Types[kv.Value]
			return tv.Value == nil || constant.Sign(tv.Value) != 0
		}
	}
	return false
}

// connectionless: net.Dial("udp"...), which returns at once without waiting for a peer, and
// Unix sockets, which are local: refused at once when nobody listens, no SYN retries.
func connectionless(info *types.Info, call *ast.CallExpr) bool {
	if len(call.Args) == 0 {
		return false
	}
	tv := info.Types[call.Args[0]]
	if tv.Value == nil || tv.Value.Kind() != constant.String {
		return false
	}
	network := constant.StringVal(tv.Value)
	return strings.HasPrefix(network, "udp") || strings.HasPrefix(network, "ip") || strings.HasPrefix(network, "unix")
}

func onDefaultClient(info *types.Info, call *ast.CallExpr) bool {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok {
		return false
	}
	inner, ok := ast.Unparen(sel.X).(*ast.SelectorExpr)
	if !ok {
		return false
	}
	v, ok := info.Uses[inner.Sel].(*types.Var)
	return ok && v.Pkg() != nil && v.Pkg().Path() == "net/http" && v.Name() == "DefaultClient"
}

func isSQLWithoutContext(fn *types.Func) bool {
	return lambdaflow.IsMethod(fn, "database/sql", "DB", "Query", "QueryRow", "Exec", "Prepare", "Begin", "Ping") ||
		lambdaflow.IsMethod(fn, "database/sql", "Tx", "Query", "QueryRow", "Exec", "Prepare") ||
		lambdaflow.IsMethod(fn, "database/sql", "Stmt", "Query", "QueryRow", "Exec")
}

func recvName(fn *types.Func) string {
	recv := fn.Type().(*types.Signature).Recv().Type()
	if p, ok := recv.(*types.Pointer); ok {
		recv = p.Elem()
	}
	return "sql." + recv.(*types.Named).Obj().Name()
}
