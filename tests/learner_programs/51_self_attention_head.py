"""The GPT lecture's self-attention: the tril trick three ways, then one head with LayerNorm.

Weighted aggregation by a lower-triangular matrix (a loop, a matmul, softmax over masked_fill);
a Head module with key, query and value, the causal mask as a buffer, dropout; LayerNorm first.
"""
# expect: xbow2 True | xbow3 True | wei[0] | out (4, 8, 16) | ln | grad
import tinygrad_edu as torch
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn

torch.set_default_dtype(torch.float64)
torch.manual_seed(1337)

B, T, C = 4, 8, 32  # batch, time, channels
x = torch.randn(B, T, C)

# version 1: for loops, averaging the past
xbow = torch.zeros((B, T, C))
for b in range(B):
    for t in range(T):
        xprev = x[b, : t + 1]  # (t, C)
        xbow[b, t] = torch.mean(xprev, 0)

# version 2: a weighted aggregation by matrix multiplication
wei = torch.tril(torch.ones(T, T))
wei = wei / wei.sum(1, keepdim=True)
xbow2 = wei @ x  # (B, T, T) @ (B, T, C) ----> (B, T, C)
print("xbow2", torch.allclose(xbow, xbow2))

# version 3: softmax over a masked matrix
tril = torch.tril(torch.ones(T, T))
wei = torch.zeros((T, T))
wei = wei.masked_fill(tril == 0, float("-inf"))
wei = F.softmax(wei, dim=-1)
xbow3 = wei @ x
print("xbow3", torch.allclose(xbow, xbow3))

# version 4: self-attention, one head
head_size = 16
key = nn.Linear(C, head_size, bias=False)
query = nn.Linear(C, head_size, bias=False)
value = nn.Linear(C, head_size, bias=False)
k = key(x)  # (B, T, 16)
q = query(x)  # (B, T, 16)
wei = q @ k.transpose(-2, -1) * head_size**-0.5  # (B, T, 16) @ (B, 16, T) ---> (B, T, T)
wei = wei.masked_fill(tril == 0, float("-inf"))
wei = F.softmax(wei, dim=-1)
print("wei[0]", wei[0, :3, :3])


class Head(nn.Module):
    """one head of self-attention"""

    def __init__(self, n_embd, head_size, block_size, dropout):
        super().__init__()
        self.key = nn.Linear(n_embd, head_size, bias=False)
        self.query = nn.Linear(n_embd, head_size, bias=False)
        self.value = nn.Linear(n_embd, head_size, bias=False)
        self.register_buffer("tril", torch.tril(torch.ones(block_size, block_size)))
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        B, T, C = x.shape
        k = self.key(x)  # (B,T,hs)
        q = self.query(x)  # (B,T,hs)
        wei = q @ k.transpose(-2, -1) * k.shape[-1] ** -0.5  # (B, T, T)
        wei = wei.masked_fill(self.tril[:T, :T] == 0, float("-inf"))
        wei = F.softmax(wei, dim=-1)
        wei = self.dropout(wei)
        v = self.value(x)  # (B,T,hs)
        return wei @ v  # (B, T, hs)


ln = nn.LayerNorm(C)
head = Head(C, head_size, block_size=T, dropout=0.1)
h = ln(x)
print("ln", h.mean(-1).abs().max().item() < 1e-12, h.var(-1, unbiased=False)[0, :3])
out = head(h)
print("out", tuple(out.shape), out[0, 0, :4])
loss = (out**2).mean()
loss.backward()
print("grad ln.weight", ln.weight.grad[:4])
print("grad ln.bias", ln.bias.grad[:4])
print("grad key", head.key.weight.grad.abs().sum().item())
print("buffers", [n for n, _ in head.named_buffers()], "params", len(list(head.parameters())))
head.eval()
with torch.no_grad():
    out1 = head(ln(x[:, :5]))  # a shorter sequence uses the top-left of the mask
    sdpa = F.scaled_dot_product_attention(
        head.query(ln(x[:, :5])), head.key(ln(x[:, :5])), head.value(ln(x[:, :5])), is_causal=True
    )
    print("eval, T=5", tuple(out1.shape), (out1 - sdpa).abs().max().item() < 1e-12)
