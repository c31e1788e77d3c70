// Package linttest locates the testdata tree the analyzers' tests share: one GOPATH-style tree
// with each analyzer's bad and good packages and one stub of aws-lambda-go for all of them.
package linttest

import (
	"path/filepath"
	"runtime"
)

// TestData is the absolute path of workloads/lint/testdata (analysistest needs an absolute GOPATH).
func TestData() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata")
}
