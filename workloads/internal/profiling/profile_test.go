package profiling

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"

	"google.golang.org/protobuf/encoding/protowire"
)

// decoded is what the tests read back from a profile: gzip-compressed protobuf in the format of
// github.com/google/pprof/proto/profile.proto.
type decoded struct {
	sampleTypes []string // "samples/count", "cpu/nanoseconds"
	samples     int
	functions   []string
}

// decodeProfile reads the fields the tests check, with nothing but protowire.
func decodeProfile(gz []byte) (decoded, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return decoded{}, fmt.Errorf("not gzip: %w", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return decoded{}, err
	}
	var (
		strs        []string
		typeIdx     [][2]uint64
		functionIdx []uint64
		out         decoded
	)
	err = eachField(raw, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		switch num {
		case 1: // sample_type: ValueType{type=1, unit=2}
			var vt [2]uint64
			err := eachField(v, func(n protowire.Number, _ protowire.Type, _ []byte, x uint64) error {
				if n == 1 || n == 2 {
					vt[n-1] = x
				}
				return nil
			})
			typeIdx = append(typeIdx, vt)
			return err
		case 2: // sample
			out.samples++
		case 5: // function: Function{id=1, name=2}
			return eachField(v, func(n protowire.Number, _ protowire.Type, _ []byte, x uint64) error {
				if n == 2 {
					functionIdx = append(functionIdx, x)
				}
				return nil
			})
		case 6: // string_table
			strs = append(strs, string(v))
		}
		return nil
	})
	if err != nil {
		return decoded{}, err
	}
	str := func(i uint64) string {
		if i < uint64(len(strs)) {
			return strs[i]
		}
		return "?"
	}
	for _, vt := range typeIdx {
		out.sampleTypes = append(out.sampleTypes, str(vt[0])+"/"+str(vt[1]))
	}
	for _, i := range functionIdx {
		out.functions = append(out.functions, str(i))
	}
	return out, nil
}

// eachField calls fn for each field of a protobuf message: bytes fields with their bytes,
// varints with their value.
func eachField(b []byte, fn func(protowire.Number, protowire.Type, []byte, uint64) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		switch typ {
		case protowire.BytesType:
			v, n := protowire.ConsumeBytes(b)
			if n < 0 {
				return protowire.ParseError(n)
			}
			if err := fn(num, typ, v, 0); err != nil {
				return err
			}
			b = b[n:]
		case protowire.VarintType:
			v, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return protowire.ParseError(n)
			}
			if err := fn(num, typ, nil, v); err != nil {
				return err
			}
			b = b[n:]
		default:
			n := protowire.ConsumeFieldValue(num, typ, b)
			if n < 0 {
				return protowire.ParseError(n)
			}
			b = b[n:]
		}
	}
	return nil
}
