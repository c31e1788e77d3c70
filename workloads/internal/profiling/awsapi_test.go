package profiling

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// What the emulator does not check: the requests as AWS reads them. S3 takes the key in the
// path escaped once, and signs that path as sent (Signature V4: "Amazon S3 … URI-encoded once");
// the payload's SHA-256 is a signed header; Parameter Store speaks AWS JSON 1.1.
func TestRequestsAreShapedAndSignedAsAWSReadsThem(t *testing.T) {
	// Prepare
	var got []*http.Request
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got, bodies = append(got, r), append(bodies, string(b))
		if r.Method == http.MethodPost {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"__type":"com.amazonaws.ssm#ParameterNotFound","message":"not found"}`)
		}
	}))
	defer srv.Close()
	cfg := aws.Config{Region: "eu-west-1", BaseEndpoint: aws.String(srv.URL), Credentials: testCredentialsPlain}
	ctx := context.Background()

	// Act
	err := NewS3Uploader(cfg, "gofn-profiles").Upload(ctx, "profiles/hello/$LATEST/env 1/t-cpu.pb.gz", []byte("pprof"),
		map[string]string{"session": "p-1"})
	value, ferr := NewSSMFlag(cfg, "/gofn/profile/hello").ReadFlag(ctx)

	// Assess
	if err != nil || ferr != nil || value != "" {
		t.Fatalf("upload %v; flag %q, %v", err, value, ferr)
	}
	put, get := got[0], got[1]
	if put.Method != http.MethodPut || put.URL.EscapedPath() != "/gofn-profiles/profiles/hello/%24LATEST/env%201/t-cpu.pb.gz" {
		t.Errorf("PutObject %s %s", put.Method, put.URL.EscapedPath())
	}
	auth := put.Header.Get("Authorization")
	for _, want := range []string{"AWS4-HMAC-SHA256 Credential=testing/", "/eu-west-1/s3/aws4_request",
		"SignedHeaders=content-length;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-meta-session,"} {
		if !strings.Contains(auth, want) {
			t.Errorf("Authorization %q lacks %q", auth, want)
		}
	}
	if put.Header.Get("X-Amz-Content-Sha256") != "137a5d59256c9738cc9c854fcce790757623d7ce2df7bbafe972d45dbd46ee80" ||
		put.Header.Get("X-Amz-Meta-Session") != "p-1" || bodies[0] != "pprof" {
		t.Errorf("PutObject headers %v, body %q", put.Header, bodies[0])
	}
	if get.Header.Get("X-Amz-Target") != "AmazonSSM.GetParameter" || get.Header.Get("Content-Type") != "application/x-amz-json-1.1" ||
		bodies[1] != `{"Name":"/gofn/profile/hello"}` || !strings.Contains(get.Header.Get("Authorization"), "/eu-west-1/ssm/aws4_request") {
		t.Errorf("GetParameter %v %q", get.Header, bodies[1])
	}
}

func TestEndpointsAreRegionalUnlessOverridden(t *testing.T) {
	cases := []struct {
		service, region string
		base            *string
		want            string
		override        bool
	}{
		{"s3", "us-east-1", nil, "https://s3.us-east-1.amazonaws.com", false},
		{"ssm", "cn-north-1", nil, "https://ssm.cn-north-1.amazonaws.com.cn", false},
		{"s3", "us-east-1", aws.String("http://127.0.0.1:5000/"), "http://127.0.0.1:5000", true},
	}
	for _, c := range cases {
		if got, override := serviceEndpoint(c.service, c.region, c.base); got != c.want || override != c.override {
			t.Errorf("serviceEndpoint(%s, %s) = %s, %v", c.service, c.region, got, override)
		}
	}
}

var testCredentialsPlain = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
	return aws.Credentials{AccessKeyID: "testing", SecretAccessKey: "testing"}, nil
})
