package telemetry

import (
	"context"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

func TestSamplerFromEnv(t *testing.T) {
	for _, tc := range []struct{ sampler, arg, want string }{
		{"", "", "ParentBased{root:AlwaysOnSampler"},
		{"parentbased_traceidratio", "0.05", "ParentBased{root:TraceIDRatioBased{0.05}"},
		{"parentbased_always_off", "", "ParentBased{root:AlwaysOffSampler"},
		{"traceidratio", "0.5", "TraceIDRatioBased{0.5}"},
	} {
		t.Setenv("OTEL_TRACES_SAMPLER", tc.sampler)
		t.Setenv("OTEL_TRACES_SAMPLER_ARG", tc.arg)
		s, err := SamplerFromEnv()
		if err != nil {
			t.Fatalf("%s %s: %v", tc.sampler, tc.arg, err)
		}
		if !strings.HasPrefix(s.Description(), tc.want) {
			t.Errorf("%q %q: %s, want %s…", tc.sampler, tc.arg, s.Description(), tc.want)
		}
	}
}

func TestSamplerFromEnvRefusesWhatItCannotRead(t *testing.T) {
	for _, tc := range []struct{ sampler, arg, want string }{
		{"parentbased_traceidratio", "5%", `OTEL_TRACES_SAMPLER_ARG "5%" is not a ratio between 0 and 1`},
		{"parentbased_traceidratio", "2", `OTEL_TRACES_SAMPLER_ARG "2" is not a ratio`},
		{"xray", "", `OTEL_TRACES_SAMPLER "xray" is not a sampler this function knows`},
	} {
		t.Setenv("OTEL_TRACES_SAMPLER", tc.sampler)
		t.Setenv("OTEL_TRACES_SAMPLER_ARG", tc.arg)
		if _, err := SamplerFromEnv(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q %q: %v, want %s", tc.sampler, tc.arg, err, tc.want)
		}
	}
}

// Lambda's decision wins under an invocation: Sampled=1 in the header is recorded even at a
// ratio of 0, Sampled=0 is not recorded even at 1.
func TestSamplerFollowsLambdasDecision(t *testing.T) {
	t.Setenv("OTEL_TRACES_SAMPLER", "parentbased_traceidratio")
	for _, tc := range []struct {
		ratio, header string
		recorded      bool
	}{
		{"0", lambdaTraceHeader, true},
		{"1", strings.Replace(lambdaTraceHeader, "Sampled=1", "Sampled=0", 1), false},
	} {
		t.Setenv("OTEL_TRACES_SAMPLER_ARG", tc.ratio)
		sampler, err := SamplerFromEnv()
		if err != nil {
			t.Fatal(err)
		}
		exp := tracetest.NewInMemoryExporter()
		tr := newTracing("hello", exp, sampler)
		_, _ = Wrap(tr, func(_ context.Context, in string) (string, error) { return in, nil })(invocation("r-1", tc.header), "x")
		if got := len(exp.GetSpans()) > 0; got != tc.recorded {
			t.Errorf("ratio %s, header %q: recorded %v, want %v", tc.ratio, tc.header, got, tc.recorded)
		}
	}
}
