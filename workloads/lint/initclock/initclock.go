// Package initclock reports package variables set from time.Now() at init and read later as
// if they were the current time.
package initclock

import (
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"

	"gofn/workloads/lint/internal/lambdaflow"
)

// Analyzer reports reads of a clock frozen at init.
var Analyzer = &analysis.Analyzer{
	Name: "initclock",
	Doc: `report time.Now() in init or package variables, read later for keys or expiry

A package variable set from time.Now() (in its declaration or in init) holds the moment the
execution environment started. An environment serves invocations for hours, so a cache key,
date bucket, object name or expiry made from it never moves on. Reported: each read of such a
variable outside init, unless the variable is assigned again later (a refreshed value), or the
read measures age (time.Since, time.Until, Sub), is logged, or is returned as it is.`,
	Run: run,
}

// frozen is a package variable whose value comes from time.Now() at init.
type frozen struct {
	set token.Pos // the time.Now() call
}

func run(pass *analysis.Pass) (any, error) {
	report := lambdaflow.NewReporter(pass)
	info := pass.TypesInfo
	scope := pass.Pkg.Scope()
	vars := map[*types.Var]frozen{}
	packageVar := func(e ast.Expr) *types.Var {
		id, ok := ast.Unparen(e).(*ast.Ident)
		if !ok {
			return nil
		}
		v, ok := info.ObjectOf(id).(*types.Var)
		if !ok || v.Parent() != scope {
			return nil
		}
		return v
	}
	mark := func(lhs []ast.Expr, rhs []ast.Expr) {
		for i, l := range lhs {
			if v := packageVar(l); v != nil && i < len(rhs) {
				if now := findNow(info, rhs[i]); now != nil {
					vars[v] = frozen{set: now.Pos()}
				}
			}
		}
	}
	isInit := map[*ast.BlockStmt]bool{}
	for _, f := range pass.Files {
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					if vs, ok := spec.(*ast.ValueSpec); ok && len(vs.Names) == len(vs.Values) {
						lhs := make([]ast.Expr, len(vs.Names))
						for i, n := range vs.Names {
							lhs[i] = n
						}
						mark(lhs, vs.Values)
					}
				}
			case *ast.FuncDecl:
				if d.Recv == nil && d.Name.Name == "init" && d.Body != nil {
					isInit[d.Body] = true
					lambdaflow.InspectBody(d.Body, func(n ast.Node) bool {
						if as, ok := n.(*ast.AssignStmt); ok && len(as.Lhs) == len(as.Rhs) {
							mark(as.Lhs, as.Rhs)
						}
						return true
					})
				}
			}
		}
	}
	if len(vars) == 0 {
		return nil, nil
	}

	// A variable assigned again outside init is refreshed at run time: not frozen.
	ins := inspector.New(pass.Files)
	inInit := func(stack []ast.Node) bool {
		for _, n := range stack {
			if fd, ok := n.(*ast.FuncDecl); ok && isInit[fd.Body] {
				return true
			}
		}
		return false
	}
	ins.WithStack([]ast.Node{(*ast.AssignStmt)(nil), (*ast.IncDecStmt)(nil)}, func(n ast.Node, push bool, stack []ast.Node) bool {
		if !push || inInit(stack) {
			return true
		}
		switch x := n.(type) {
		case *ast.AssignStmt:
			for _, l := range x.Lhs {
				if v := packageVar(l); v != nil {
					delete(vars, v)
				}
			}
		case *ast.IncDecStmt:
			if v := packageVar(x.X); v != nil {
				delete(vars, v)
			}
		}
		return true
	})

	ins.WithStack([]ast.Node{(*ast.Ident)(nil)}, func(n ast.Node, push bool, stack []ast.Node) bool {
		if !push {
			return true
		}
		id := n.(*ast.Ident)
		v, ok := info.Uses[id].(*types.Var)
		if !ok {
			return true
		}
		fz, ok := vars[v]
		if !ok || !inFunction(stack) || inInit(stack) || harmless(info, stack) {
			return true
		}
		report.Report(id, v.Name()+" holds time.Now() from init ("+lambdaflow.Where(pass.Fset, fz.set)+
			") and is read here as the time: an execution environment serves invocations for hours, so a cache"+
			" key, date or expiry made from it never moves on; call time.Now() in the handler, per invocation")
		return true
	})
	return nil, nil
}

// findNow returns the time.Now() call an initializer is made from (time.Now(),
// time.Now().Unix(), fmt.Sprint(time.Now().Year()), ...), not looking into function literals.
func findNow(info *types.Info, e ast.Expr) *ast.CallExpr {
	var found *ast.CallExpr
	ast.Inspect(e, func(n ast.Node) bool {
		if found != nil {
			return false
		}
		switch x := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			if lambdaflow.IsFunc(lambdaflow.Callee(info, x), "time", "Now") {
				found = x
				return false
			}
		}
		return true
	})
	return found
}

// inFunction: the identifier is inside a function body, not a package-level declaration.
func inFunction(stack []ast.Node) bool {
	for _, n := range stack {
		switch n.(type) {
		case *ast.FuncDecl, *ast.FuncLit:
			return true
		}
	}
	return false
}

// harmless reports whether the read at the top of stack measures age, is logged, or is
// returned as it is: uses that do not take the init time for the current time.
func harmless(info *types.Info, stack []ast.Node) bool {
	id := stack[len(stack)-1]
	parent := stack[len(stack)-2]
	switch p := parent.(type) {
	case *ast.ReturnStmt:
		return true
	case *ast.CallExpr:
		fn := lambdaflow.Callee(info, p)
		if lambdaflow.IsFunc(fn, "time", "Since", "Until") || lambdaflow.IsMethod(fn, "time", "Time", "Sub") {
			return true
		}
	case *ast.SelectorExpr:
		// started.Sub(now): the receiver of Sub.
		if p.X == id && p.Sel.Name == "Sub" && len(stack) >= 3 {
			if call, ok := stack[len(stack)-3].(*ast.CallExpr); ok && call.Fun == p {
				return true
			}
		}
	}
	for i := len(stack) - 2; i >= 0; i-- {
		switch n := stack[i].(type) {
		case *ast.CallExpr:
			if lambdaflow.IsLogCall(info, n) {
				return true
			}
		case ast.Stmt, *ast.FuncLit:
			return false
		}
	}
	return false
}
