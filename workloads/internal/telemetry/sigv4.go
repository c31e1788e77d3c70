package telemetry

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/config"
)

// X-Ray's OTLP traces endpoint (CloudWatch user guide, "OTLP endpoints"): it takes OTLP/HTTP
// protobuf, authorized as xray:PutSpans and signed with SigV4 for the service "xray".
var xrayOTLPHost = regexp.MustCompile(`^xray\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$`)

// xrayOTLPRegion reports whether the traces endpoint in the environment is X-Ray's, and its region.
func xrayOTLPRegion() (string, bool) {
	endpoint := os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
	if endpoint == "" {
		endpoint = os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT")
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return "", false
	}
	m := xrayOTLPHost.FindStringSubmatch(u.Hostname())
	if m == nil {
		return "", false
	}
	return m[1], true
}

// sigV4Client signs each request with the credentials of the default chain (the execution
// role on Lambda), read when the first request goes out and cached by the SDK.
func sigV4Client(ctx context.Context, region string) (*http.Client, error) {
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(region))
	if err != nil {
		return nil, fmt.Errorf("AWS config for signing: %w", err)
	}
	return &http.Client{Transport: &sigV4Transport{
		next:        http.DefaultTransport,
		credentials: cfg.Credentials,
		signer:      v4.NewSigner(),
		region:      region,
		now:         time.Now,
	}}, nil
}

type sigV4Transport struct {
	next        http.RoundTripper
	credentials aws.CredentialsProvider
	signer      *v4.Signer
	region      string
	now         func() time.Time
}

func (t *sigV4Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		_ = req.Body.Close()
	}
	creds, err := t.credentials.Retrieve(req.Context())
	if err != nil {
		return nil, fmt.Errorf("credentials for signing: %w", err)
	}
	signed := req.Clone(req.Context())
	signed.Body = io.NopCloser(bytes.NewReader(body))
	signed.ContentLength = int64(len(body))
	sum := sha256.Sum256(body)
	payloadHash := hex.EncodeToString(sum[:])
	signed.Header.Set("X-Amz-Content-Sha256", payloadHash)
	if err := t.signer.SignHTTP(req.Context(), creds, signed, payloadHash, "xray", t.region, t.now()); err != nil {
		return nil, fmt.Errorf("signing the OTLP request: %w", err)
	}
	return t.next.RoundTrip(signed)
}
