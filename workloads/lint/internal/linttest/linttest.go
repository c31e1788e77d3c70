// Package linttest locates the testdata tree the analyzers' tests share: one GOPATH-style tree
// with each analyzer's bad and good packages and one stub of aws-lambda-go for all of them.
package linttest

import (
	"path/filepath"

	"golang.org/x/tools/go/analysis/analysistest"
)

// TestData is the absolute path of workloads/lint/testdata, found from the calling test's own
// directory (workloads/lint/<analyzer>): analysistest needs an absolute GOPATH, and a source path
// from runtime.Caller is module-relative under -trimpath, as the workloads' tests build.
func TestData() string {
	return filepath.Join(analysistest.TestData(), "..", "..", "testdata")
}
