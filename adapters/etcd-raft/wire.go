// A protobuf decoder for the raftpb.Message fields raft peers send one another, without the
// protobuf runtime's per-message machinery (most of a deliver's decoding time in wasm). Anything
// else (a snapshot, responses, an unknown field or enum value, a malformed field) is left to
// proto.Unmarshal, so the result is always what proto.Unmarshal makes.

package main

import (
	pb "go.etcd.io/raft/v3/raftpb"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// unmarshalMessage decodes a raftpb.Message.
func unmarshalMessage(data []byte) (*pb.Message, error) {
	if m, ok := decodeCommonMessage(data); ok {
		return m, nil
	}
	m := &pb.Message{}
	return m, proto.Unmarshal(data, m)
}

func decodeCommonMessage(data []byte) (*pb.Message, bool) {
	m := &pb.Message{}
	for len(data) > 0 {
		number, kind, length := protowire.ConsumeTag(data)
		if length < 0 {
			return nil, false
		}
		data = data[length:]
		if number == 7 || number == 12 {
			if kind != protowire.BytesType {
				return nil, false
			}
			value, length := protowire.ConsumeBytes(data)
			if length < 0 {
				return nil, false
			}
			data = data[length:]
			if number == 12 {
				m.Context = append([]byte{}, value...)
			} else if entry, ok := decodeEntry(value); ok {
				m.Entries = append(m.Entries, entry)
			} else {
				return nil, false
			}
			continue
		}
		if kind != protowire.VarintType {
			return nil, false
		}
		value, length := protowire.ConsumeVarint(data)
		if length < 0 || !setMessageVarint(m, number, value) {
			return nil, false
		}
		data = data[length:]
	}
	return m, true
}

// setMessageVarint sets one varint field; false for a field or value it leaves to proto.Unmarshal.
func setMessageVarint(m *pb.Message, number protowire.Number, value uint64) bool {
	switch number {
	case 1:
		if _, known := pb.MessageType_name[int32(value)]; !known || value > 1<<31 {
			return false
		}
		m.Type = pb.MessageType(value).Enum()
	case 2:
		m.To = proto.Uint64(value)
	case 3:
		m.From = proto.Uint64(value)
	case 4:
		m.Term = proto.Uint64(value)
	case 5:
		m.LogTerm = proto.Uint64(value)
	case 6:
		m.Index = proto.Uint64(value)
	case 8:
		m.Commit = proto.Uint64(value)
	case 10:
		m.Reject = proto.Bool(value != 0)
	case 11:
		m.RejectHint = proto.Uint64(value)
	case 13:
		m.Vote = proto.Uint64(value)
	default:
		return false
	}
	return true
}

func decodeEntry(data []byte) (*pb.Entry, bool) {
	e := &pb.Entry{}
	for len(data) > 0 {
		number, kind, length := protowire.ConsumeTag(data)
		if length < 0 {
			return nil, false
		}
		data = data[length:]
		if number == 4 && kind == protowire.BytesType {
			value, length := protowire.ConsumeBytes(data)
			if length < 0 {
				return nil, false
			}
			e.Data = append([]byte{}, value...)
			data = data[length:]
			continue
		}
		if kind != protowire.VarintType {
			return nil, false
		}
		value, length := protowire.ConsumeVarint(data)
		if length < 0 {
			return nil, false
		}
		data = data[length:]
		switch number {
		case 1:
			if _, known := pb.EntryType_name[int32(value)]; !known || value > 1<<31 {
				return nil, false
			}
			e.Type = pb.EntryType(value).Enum()
		case 2:
			e.Term = proto.Uint64(value)
		case 3:
			e.Index = proto.Uint64(value)
		default:
			return nil, false
		}
	}
	return e, true
}
