package telemetry

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

func TestXRayOTLPEndpointIsRecognised(t *testing.T) {
	for endpoint, want := range map[string]string{
		"https://xray.eu-west-1.amazonaws.com/v1/traces":     "eu-west-1",
		"https://xray.cn-north-1.amazonaws.com.cn/v1/traces": "cn-north-1",
		"http://localhost:4318":                              "",
		"https://xray.eu-west-1.example.com/v1/traces":       "",
	} {
		t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "")
		t.Setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", endpoint)
		region, ok := xrayOTLPRegion()
		if region != want || ok != (want != "") {
			t.Errorf("%s: %q, %v; want %q", endpoint, region, ok, want)
		}
	}
}

// The request X-Ray's OTLP endpoint gets carries a SigV4 signature for the service "xray" in
// the endpoint's region, over the exact body sent.
func TestSigV4TransportSignsForXRay(t *testing.T) {
	// Prepare
	var got *http.Request
	var gotBody []byte
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		gotBody, _ = io.ReadAll(r.Body)
	}))
	defer server.Close()
	transport := &sigV4Transport{
		next:        http.DefaultTransport,
		credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "session-token"),
		signer:      v4.NewSigner(),
		region:      "eu-west-1",
		now:         func() time.Time { return time.Date(2026, 11, 26, 16, 46, 10, 0, time.UTC) },
	}
	body := []byte("\x0a\x02spans")
	req, _ := http.NewRequest(http.MethodPost, server.URL+"/v1/traces", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-protobuf")

	// Act
	resp, err := (&http.Client{Transport: transport}).Do(req)

	// Assess
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !bytes.Equal(gotBody, body) {
		t.Fatalf("body %q, want %q", gotBody, body)
	}
	auth := got.Header.Get("Authorization")
	pattern := `^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261126/eu-west-1/xray/aws4_request, SignedHeaders=[a-z0-9;-]*content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$`
	if !regexp.MustCompile(pattern).MatchString(auth) {
		t.Fatalf("Authorization %q does not match %s", auth, pattern)
	}
	sum := sha256.Sum256(body)
	if got.Header.Get("X-Amz-Content-Sha256") != hex.EncodeToString(sum[:]) {
		t.Fatalf("payload hash %q is not the body's", got.Header.Get("X-Amz-Content-Sha256"))
	}
	if got.Header.Get("X-Amz-Date") != "20261126T164610Z" || got.Header.Get("X-Amz-Security-Token") != "session-token" {
		t.Fatalf("date %q, token %q", got.Header.Get("X-Amz-Date"), got.Header.Get("X-Amz-Security-Token"))
	}
}
