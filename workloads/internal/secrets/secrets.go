// Package secrets reads a function's secrets the way a Lambda function should: lazily, on the
// first invocation that needs one (a cold start does not pay for secrets it may not use);
// cached for five minutes, so warm invocations send no request and a rotated value is picked
// up within that time; and fetched again at once, a single time, when the downstream that uses
// the secret answers with an authentication failure (the secret was rotated since it was
// cached). Values come from SSM Parameter Store (SecureString, decrypted) or Secrets Manager.
package secrets

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// DefaultTTL is how long a fetched value is used before it is fetched again.
const DefaultTTL = 5 * time.Minute

// Source fetches the current value of a secret.
type Source interface {
	Fetch(ctx context.Context, name string) (string, error)
}

// SSMAPI is the one SSM operation SSMParameters calls (an *ssm.Client satisfies it).
type SSMAPI interface {
	GetParameter(ctx context.Context, in *ssm.GetParameterInput, opts ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
}

// SSMParameters reads parameters, decrypting SecureString ones with their KMS key (the
// function's role needs ssm:GetParameter on the parameter and kms:Decrypt on the key).
type SSMParameters struct{ Client SSMAPI }

// Fetch returns the parameter's value; name is its name or ARN.
func (s SSMParameters) Fetch(ctx context.Context, name string) (string, error) {
	out, err := s.Client.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)})
	if err != nil {
		return "", fmt.Errorf("SSM parameter %s: %w", name, err)
	}
	if out.Parameter == nil || out.Parameter.Value == nil {
		return "", fmt.Errorf("SSM parameter %s: the answer has no value", name)
	}
	return *out.Parameter.Value, nil
}

// SecretsManagerAPI is the one Secrets Manager operation SecretsManagerSecrets calls.
type SecretsManagerAPI interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// SecretsManagerSecrets reads the AWSCURRENT version of a secret's string value.
type SecretsManagerSecrets struct{ Client SecretsManagerAPI }

// Fetch returns the secret's string; name is its name or ARN.
func (s SecretsManagerSecrets) Fetch(ctx context.Context, name string) (string, error) {
	out, err := s.Client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(name)})
	if err != nil {
		return "", fmt.Errorf("secret %s: %w", name, err)
	}
	if out.SecretString == nil {
		return "", fmt.Errorf("secret %s has no string value (a binary secret?)", name)
	}
	return *out.SecretString, nil
}

// ErrAuth marks a downstream failure that means "this credential is no longer valid": wrap it
// (fmt.Errorf("...: %w", secrets.ErrAuth)) or return it from the function given to Use, and Use
// fetches the secret again and retries once.
var ErrAuth = errors.New("authentication failed")

type entry struct {
	value     string
	fetchedAt time.Time
}

// Cache holds the values fetched from one Source. The zero value is not usable; use New.
type Cache struct {
	source Source
	ttl    time.Duration
	now    func() time.Time

	mu      sync.Mutex
	entries map[string]entry
}

// New returns a cache over source with DefaultTTL. Nothing is fetched until Get or Use.
func New(source Source) *Cache {
	return &Cache{source: source, ttl: DefaultTTL, now: time.Now, entries: map[string]entry{}}
}

// WithTTL sets how long values are kept (tests; a function that needs faster rotation).
func (c *Cache) WithTTL(ttl time.Duration) *Cache { c.ttl = ttl; return c }

// WithClock replaces the clock (tests).
func (c *Cache) WithClock(now func() time.Time) *Cache { c.now = now; return c }

// Get returns the value of name, from the cache while it is younger than the TTL.
func (c *Cache) Get(ctx context.Context, name string) (string, error) {
	c.mu.Lock()
	e, ok := c.entries[name]
	c.mu.Unlock()
	if ok && c.now().Sub(e.fetchedAt) < c.ttl {
		return e.value, nil
	}
	return c.refresh(ctx, name)
}

// Invalidate drops the cached value of name: the next Get fetches it.
func (c *Cache) Invalidate(name string) {
	c.mu.Lock()
	delete(c.entries, name)
	c.mu.Unlock()
}

func (c *Cache) refresh(ctx context.Context, name string) (string, error) {
	value, err := c.source.Fetch(ctx, name)
	if err != nil {
		// A failed fetch keeps nothing: the next call tries again rather than serving a stale
		// value that the rotation may already have revoked.
		c.Invalidate(name)
		return "", err
	}
	c.mu.Lock()
	c.entries[name] = entry{value: value, fetchedAt: c.now()}
	c.mu.Unlock()
	return value, nil
}

// Use calls use with the value of name. If use fails with ErrAuth (the secret was rotated after
// it was cached), the value is fetched again and use is called once more with it; a second
// ErrAuth is returned as it is, so a wrong secret fails fast instead of looping.
func (c *Cache) Use(ctx context.Context, name string, use func(value string) error) error {
	value, err := c.Get(ctx, name)
	if err != nil {
		return err
	}
	err = use(value)
	if !errors.Is(err, ErrAuth) {
		return err
	}
	fresh, ferr := c.refresh(ctx, name)
	if ferr != nil {
		return errors.Join(err, ferr)
	}
	return use(fresh)
}
