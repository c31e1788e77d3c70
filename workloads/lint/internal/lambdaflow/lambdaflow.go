// Package lambdaflow holds what the gofn analyzers share: which functions serve Lambda
// invocations, which calls write log lines, how a value reaches a call's arguments, and the
// //gofnlint:ignore directive.
package lambdaflow

import (
	"go/ast"
	"go/token"
	"go/types"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/types/typeutil"
)

const (
	// EventsPath is aws-lambda-go's package of event types (API Gateway, SQS, SNS, ...).
	EventsPath = "github.com/aws/aws-lambda-go/events"
	// LambdaPath is aws-lambda-go's package with lambda.Start.
	LambdaPath = "github.com/aws/aws-lambda-go/lambda"
)

// Reporter reports diagnostics, except on lines a //gofnlint:ignore directive names the
// analyzer for, and never in _test.go files: tests do not run on Lambda.
type Reporter struct {
	pass    *analysis.Pass
	ignored map[string]map[int]bool // file name -> line -> ignored
}

// NewReporter reads the package's //gofnlint:ignore directives for pass's analyzer. A directive
// names one or more analyzers (comma-separated) or "all", then why, and applies to its own line
// and the line below it:
//
//	//gofnlint:ignore handlergo the goroutine is joined by the caller's Close
func NewReporter(pass *analysis.Pass) *Reporter {
	r := &Reporter{pass: pass, ignored: map[string]map[int]bool{}}
	for _, f := range pass.Files {
		for _, group := range f.Comments {
			for _, c := range group.List {
				text, ok := strings.CutPrefix(c.Text, "//gofnlint:ignore ")
				if !ok {
					continue
				}
				names, _, _ := strings.Cut(strings.TrimSpace(text), " ")
				for _, name := range strings.Split(names, ",") {
					if name == pass.Analyzer.Name || name == "all" {
						pos := pass.Fset.Position(c.Slash)
						if r.ignored[pos.Filename] == nil {
							r.ignored[pos.Filename] = map[int]bool{}
						}
						r.ignored[pos.Filename][pos.Line] = true
						r.ignored[pos.Filename][pos.Line+1] = true
					}
				}
			}
		}
	}
	return r
}

// Report reports message at n unless it is in a test file or ignored.
func (r *Reporter) Report(n ast.Node, message string) {
	pos := r.pass.Fset.Position(n.Pos())
	if strings.HasSuffix(pos.Filename, "_test.go") || r.ignored[pos.Filename][pos.Line] {
		return
	}
	r.pass.Report(analysis.Diagnostic{Pos: n.Pos(), End: n.End(), Category: r.pass.Analyzer.Name, Message: message})
}

// Where renders a position as "file.go:41", for a message that points at a second place.
func Where(fset *token.FileSet, pos token.Pos) string {
	p := fset.Position(pos)
	name := p.Filename
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	return name + ":" + strconv.Itoa(p.Line)
}

// Callee is the function or method a call statically calls, or nil (a func value, a conversion).
func Callee(info *types.Info, call *ast.CallExpr) *types.Func {
	fn, _ := typeutil.Callee(info, call).(*types.Func)
	return fn
}

// IsFunc reports whether fn is the package-level function pkgPath.name.
func IsFunc(fn *types.Func, pkgPath string, names ...string) bool {
	if fn == nil || fn.Pkg() == nil || fn.Pkg().Path() != pkgPath {
		return false
	}
	if sig, ok := fn.Type().(*types.Signature); !ok || sig.Recv() != nil {
		return false
	}
	for _, n := range names {
		if fn.Name() == n {
			return true
		}
	}
	return false
}

// IsMethod reports whether fn is a method named one of names of the type pkgPath.typeName
// (value or pointer receiver).
func IsMethod(fn *types.Func, pkgPath, typeName string, names ...string) bool {
	if fn == nil {
		return false
	}
	sig, ok := fn.Type().(*types.Signature)
	if !ok || sig.Recv() == nil || !IsNamed(sig.Recv().Type(), pkgPath, typeName) {
		return false
	}
	for _, n := range names {
		if fn.Name() == n {
			return true
		}
	}
	return false
}

// IsNamed reports whether t (or what it points to) is the named type pkgPath.name.
func IsNamed(t types.Type, pkgPath, name string) bool {
	if p, ok := types.Unalias(t).(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == pkgPath && n.Obj().Name() == name
}

// EventsType returns the aws-lambda-go events type t is (or points to), or nil.
func EventsType(t types.Type) *types.Named {
	if p, ok := types.Unalias(t).(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	if !ok || n.Obj().Pkg() == nil || n.Obj().Pkg().Path() != EventsPath {
		return nil
	}
	return n
}

// IsLogCall reports whether call writes a log line or builds part of one: any function or
// method of log/slog (slog.Info, Logger.With, slog.String, ...), the log package's printers,
// and fmt's printers to stdout or stderr, which Lambda sends to CloudWatch Logs line by line.
func IsLogCall(info *types.Info, call *ast.CallExpr) bool {
	fn := Callee(info, call)
	if fn == nil || fn.Pkg() == nil {
		return false
	}
	switch fn.Pkg().Path() {
	case "log/slog":
		return true
	case "log":
		return strings.HasPrefix(fn.Name(), "Print") || strings.HasPrefix(fn.Name(), "Fatal") ||
			strings.HasPrefix(fn.Name(), "Panic") || fn.Name() == "Output"
	case "fmt":
		switch fn.Name() {
		case "Print", "Printf", "Println":
			return true
		case "Fprint", "Fprintf", "Fprintln":
			return len(call.Args) > 0 && isStdStream(info, call.Args[0])
		}
	}
	return false
}

func isStdStream(info *types.Info, e ast.Expr) bool {
	sel, ok := ast.Unparen(e).(*ast.SelectorExpr)
	if !ok {
		return false
	}
	v, ok := info.Uses[sel.Sel].(*types.Var)
	return ok && v.Pkg() != nil && v.Pkg().Path() == "os" && (v.Name() == "Stdout" || v.Name() == "Stderr")
}

// Find returns the first expression within e, as a log line would carry it, that match
// accepts: e itself, operands of + and of conversions, the arguments of fmt.Sprint* and of
// log/slog's attribute constructors, and the elements of composite literals. It does not look
// inside other calls: len(req.Body) or redact(req.Body) is not the body.
func Find(info *types.Info, e ast.Expr, match func(ast.Expr) bool) ast.Expr {
	if e == nil {
		return nil
	}
	if match(e) {
		return e
	}
	switch x := e.(type) {
	case *ast.ParenExpr:
		return Find(info, x.X, match)
	case *ast.StarExpr:
		return Find(info, x.X, match)
	case *ast.UnaryExpr:
		if x.Op == token.AND {
			return Find(info, x.X, match)
		}
	case *ast.BinaryExpr:
		if x.Op == token.ADD {
			if found := Find(info, x.X, match); found != nil {
				return found
			}
			return Find(info, x.Y, match)
		}
	case *ast.KeyValueExpr:
		return Find(info, x.Value, match)
	case *ast.CompositeLit:
		for _, elt := range x.Elts {
			if found := Find(info, elt, match); found != nil {
				return found
			}
		}
	case *ast.CallExpr:
		if tv, ok := info.Types[x.Fun]; ok && tv.IsType() && len(x.Args) == 1 {
			return Find(info, x.Args[0], match)
		}
		fn := Callee(info, x)
		if IsFunc(fn, "fmt", "Sprint", "Sprintf", "Sprintln") || (fn != nil && fn.Pkg() != nil && fn.Pkg().Path() == "log/slog") {
			for _, arg := range x.Args {
				if found := Find(info, arg, match); found != nil {
					return found
				}
			}
		}
	}
	return nil
}

// Handler is a function that serves Lambda invocations.
type Handler struct {
	Name string
	// Type is the function's signature; Body its statements.
	Type *ast.FuncType
	Body *ast.BlockStmt
}

// Handlers returns the functions of the package that serve Lambda invocations:
//   - functions and methods shaped like a handler of an aws-lambda-go event, that is taking a
//     context.Context and an events type (APIGatewayV2HTTPRequest, SQSEvent, ...) and
//     returning an error last;
//   - every function declared in the package, or function literal, handed to lambda.Start (and
//     StartWithOptions, NewHandler, ...), also through wrappers: lambda.Start(wrap(h.Handle)).
func Handlers(pass *analysis.Pass) []Handler {
	decls := map[*types.Func]*ast.FuncDecl{}
	for _, f := range pass.Files {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
				if fn, ok := pass.TypesInfo.Defs[fd.Name].(*types.Func); ok {
					decls[fn] = fd
				}
			}
		}
	}
	var out []Handler
	seen := map[ast.Node]bool{}
	add := func(name string, typ *ast.FuncType, body *ast.BlockStmt) {
		if !seen[body] {
			seen[body] = true
			out = append(out, Handler{Name: name, Type: typ, Body: body})
		}
	}
	for fn, fd := range decls {
		if hasHandlerShape(fn) {
			add(fd.Name.Name, fd.Type, fd.Body)
		}
	}
	// Handed to lambda.Start, through wrapper calls up to a few levels deep.
	var collect func(e ast.Expr, depth int)
	collect = func(e ast.Expr, depth int) {
		switch x := ast.Unparen(e).(type) {
		case *ast.FuncLit:
			add("func literal", x.Type, x.Body)
		case *ast.Ident, *ast.SelectorExpr:
			id := x.(ast.Expr)
			if sel, ok := id.(*ast.SelectorExpr); ok {
				id = sel.Sel
			}
			if fn, ok := pass.TypesInfo.Uses[id.(*ast.Ident)].(*types.Func); ok {
				if fd := decls[fn.Origin()]; fd != nil {
					add(fd.Name.Name, fd.Type, fd.Body)
				}
			}
		case *ast.CallExpr:
			if depth < 3 {
				for _, arg := range x.Args {
					collect(arg, depth+1)
				}
			}
		}
	}
	for _, f := range pass.Files {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			fn := Callee(pass.TypesInfo, call)
			switch {
			case IsFunc(fn, LambdaPath, "Start", "StartWithOptions", "NewHandler", "NewHandlerWithOptions"):
				collect(call.Args[0], 0)
			case IsFunc(fn, LambdaPath, "StartWithContext") && len(call.Args) > 1:
				collect(call.Args[1], 0)
			}
			return true
		})
	}
	return out
}

// hasHandlerShape: func(context.Context, <events type>) (..., error).
func hasHandlerShape(fn *types.Func) bool {
	sig := fn.Type().(*types.Signature)
	params, results := sig.Params(), sig.Results()
	if params.Len() != 2 || results.Len() == 0 || results.Len() > 2 {
		return false
	}
	if !IsNamed(params.At(0).Type(), "context", "Context") || EventsType(params.At(1).Type()) == nil {
		return false
	}
	last := results.At(results.Len() - 1).Type()
	return types.Identical(last, types.Universe.Lookup("error").Type())
}

// InspectBody walks a function body without entering nested function literals, which run
// whenever their caller decides, not as part of this body.
func InspectBody(body *ast.BlockStmt, visit func(ast.Node) bool) {
	ast.Inspect(body, func(n ast.Node) bool {
		if _, ok := n.(*ast.FuncLit); ok {
			return false
		}
		return visit(n)
	})
}

// CallResults maps each variable given the first result of a call (`x := f()`, `x, err := f()`,
// `var x = f()`) to what classify says of that call; classify returns "" for a call it does not
// care about.
func CallResults(pass *analysis.Pass, classify func(call *ast.CallExpr) string) map[types.Object]string {
	info := pass.TypesInfo
	out := map[types.Object]string{}
	bind := func(first ast.Expr, rhs ast.Expr) {
		call, ok := ast.Unparen(rhs).(*ast.CallExpr)
		if !ok {
			return
		}
		what := classify(call)
		if what == "" {
			return
		}
		if id, ok := first.(*ast.Ident); ok {
			if obj := info.ObjectOf(id); obj != nil {
				out[obj] = what
			}
		}
	}
	for _, f := range pass.Files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.AssignStmt:
				if len(x.Rhs) == 1 && len(x.Lhs) > 0 {
					bind(x.Lhs[0], x.Rhs[0])
				}
			case *ast.ValueSpec:
				if len(x.Values) == 1 && len(x.Names) > 0 {
					bind(x.Names[0], x.Values[0])
				}
			}
			return true
		})
	}
	return out
}

// ReportLogged reports, once per position, every expression inside a log call's arguments (see
// IsLogCall) that match accepts, with the message why says of it.
func ReportLogged(pass *analysis.Pass, report *Reporter, match func(ast.Expr) bool, why func(found ast.Expr) string) {
	info := pass.TypesInfo
	reported := map[token.Pos]bool{}
	for _, f := range pass.Files {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || !IsLogCall(info, call) {
				return true
			}
			for _, arg := range call.Args {
				if found := Find(info, arg, match); found != nil && !reported[found.Pos()] {
					reported[found.Pos()] = true
					report.Report(found, why(found))
				}
			}
			return true
		})
	}
}
