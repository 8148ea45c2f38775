"""nn.MultiheadAttention over padded sequences: key_padding_mask, a causal attn_mask, the weights.

Three sequences of lengths 5, 3 and 4 padded to 5; the padded keys get no attention; the mean
over the real positions feeds a loss whose gradient reaches the input projection.
"""
# expect: attn_output (3, 5, 8) | attn_weights (3, 5, 5) | padded keys 0.0 | per head (3, 2, 5, 5)
import tinygrad_edu as torch
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn

torch.set_default_dtype(torch.float64)
torch.manual_seed(5)

embed_dim, num_heads = 8, 2
lengths = torch.tensor([5, 3, 4])
vocab = nn.Embedding(10, embed_dim, padding_idx=0)
tokens = torch.tensor([[3, 1, 4, 1, 5], [9, 2, 6, 0, 0], [5, 3, 5, 8, 0]])
x = vocab(tokens)  # (N, L, E)
print("padding row", vocab.weight[0])

# True marks a position to ignore, as PyTorch's key_padding_mask expects.
key_padding_mask = torch.arange(5).unsqueeze(0).ge(lengths.unsqueeze(1))
print("key_padding_mask", key_padding_mask)

mha = nn.MultiheadAttention(embed_dim, num_heads, batch_first=True)
print("parameters", [(n, tuple(p.shape)) for n, p in mha.named_parameters()])
attn_output, attn_weights = mha(x, x, x, key_padding_mask=key_padding_mask)
print("attn_output", tuple(attn_output.shape))
print("attn_weights", tuple(attn_weights.shape))
print("weights[1]", attn_weights[1])
print("padded keys", attn_weights[1, :, 3:].abs().max().item())
print("rows sum to one", torch.allclose(attn_weights.sum(-1), torch.ones(3, 5)))

# Mean over the real positions only, then a loss.
mask = (~key_padding_mask).unsqueeze(-1).double()
pooled = (attn_output * mask).sum(1) / lengths.unsqueeze(1)
loss = pooled.pow(2).sum()
loss.backward()
print("loss", loss.item())
print("in_proj_weight grad", mha.in_proj_weight.grad.norm().item())
print("out_proj bias grad", mha.out_proj.bias.grad)
print("embedding grad of the padding row", vocab.weight.grad[0])

# A causal mask as well: a boolean (L, L) matrix with True above the diagonal.
causal = torch.triu(torch.ones(5, 5, dtype=torch.bool), diagonal=1)
with torch.no_grad():
    out, w = mha(x, x, x, key_padding_mask=key_padding_mask, attn_mask=causal,
                 average_attn_weights=False)
    print("per head", tuple(w.shape))
    print("head 0 of sequence 2", w[2, 0])
    out_none, w_none = mha(x, x, x, key_padding_mask=key_padding_mask, need_weights=False)
    print("need_weights=False", w_none, torch.allclose(out_none, attn_output))

    # The same attention by hand from the packed projection weights.
    q, k, v = F.linear(x, mha.in_proj_weight, mha.in_proj_bias).chunk(3, dim=-1)
    split = lambda t: t.view(3, 5, num_heads, embed_dim // num_heads).transpose(1, 2)  # noqa: E731
    mask = key_padding_mask.view(3, 1, 1, 5)
    scores = split(q) @ split(k).transpose(-2, -1) / (embed_dim // num_heads) ** 0.5
    weights = scores.masked_fill(mask, float("-inf")).softmax(dim=-1)
    by_hand = (weights @ split(v)).transpose(1, 2).reshape(3, 5, embed_dim)
    by_hand = mha.out_proj(by_hand)
    print("by hand", (by_hand - attn_output).abs().max().item() < 1e-12)
    sdpa = F.scaled_dot_product_attention(split(q), split(k), split(v), attn_mask=~mask)
    print("sdpa", (sdpa - weights @ split(v)).abs().max().item() < 1e-12)
