// Package handlergo reports goroutines a Lambda handler starts and does not wait for.
package handlergo

import (
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"

	"gofn/workloads/lint/internal/lambdaflow"
)

// Analyzer reports go statements in a Lambda handler whose goroutine can outlive its return.
var Analyzer = &analysis.Analyzer{
	Name: "handlergo",
	Doc: `report goroutines started in a Lambda handler that can outlive its return

Lambda freezes the execution environment as soon as the handler returns: a goroutine still
running stops mid-work, resumes during some later invocation (its timers and deadlines long
past), or never runs again when the environment is recycled. A go statement counts as waited
for when, later in the handler, something it was given is waited on: Wait() on a WaitGroup or
errgroup it uses, or a receive (or range) on a channel it uses.`,
	Run: run,
}

func run(pass *analysis.Pass) (any, error) {
	report := lambdaflow.NewReporter(pass)
	for _, h := range lambdaflow.Handlers(pass) {
		lambdaflow.InspectBody(h.Body, func(n ast.Node) bool {
			g, ok := n.(*ast.GoStmt)
			if !ok {
				return true
			}
			if !waitedFor(pass.TypesInfo, h.Body, g) {
				report.Report(g, "goroutine started in Lambda handler "+h.Name+" is not waited for: Lambda freezes the"+
					" execution environment when the handler returns, so it stops mid-work and resumes in a later"+
					" invocation, or never if the environment is recycled; wait for it before returning"+
					" (sync.WaitGroup, errgroup, a channel) or do the work inline")
			}
			return true
		})
	}
	return nil, nil
}

// waitedFor reports whether, after g in body, the handler waits on something the goroutine uses.
func waitedFor(info *types.Info, body *ast.BlockStmt, g *ast.GoStmt) bool {
	shared := map[types.Object]bool{}
	ast.Inspect(g.Call, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			if v, ok := info.Uses[id].(*types.Var); ok {
				shared[v] = true
			}
		}
		return true
	})
	usesShared := func(e ast.Expr) bool {
		obj := rootObject(info, e)
		return obj != nil && shared[obj]
	}
	waited := false
	lambdaflow.InspectBody(body, func(n ast.Node) bool {
		if waited || n == nil || n.Pos() < g.End() {
			return !waited
		}
		switch x := n.(type) {
		case *ast.CallExpr:
			if sel, ok := ast.Unparen(x.Fun).(*ast.SelectorExpr); ok && sel.Sel.Name == "Wait" && usesShared(sel.X) {
				waited = true
			}
		case *ast.UnaryExpr:
			if x.Op == token.ARROW && usesShared(x.X) {
				waited = true
			}
		case *ast.RangeStmt:
			if _, isChan := info.TypeOf(x.X).Underlying().(*types.Chan); isChan && usesShared(x.X) {
				waited = true
			}
		}
		return !waited
	})
	return waited
}

// rootObject is the variable an expression like x, x.f, &x or x[i] starts from.
func rootObject(info *types.Info, e ast.Expr) types.Object {
	for {
		switch x := e.(type) {
		case *ast.Ident:
			return info.Uses[x]
		case *ast.SelectorExpr:
			e = x.X
		case *ast.ParenExpr:
			e = x.X
		case *ast.StarExpr:
			e = x.X
		case *ast.UnaryExpr:
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		default:
			return nil
		}
	}
}
