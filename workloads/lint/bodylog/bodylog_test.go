package bodylog_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"gofn/workloads/lint/bodylog"
)

func TestReportsLoggedBodies(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), bodylog.Analyzer, "bad")
}

func TestLeavesSizesAndPickedFieldsAlone(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), bodylog.Analyzer, "good")
}
