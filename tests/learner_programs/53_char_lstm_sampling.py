"""A character-level LSTM language model on a tiny text, then sampling with multinomial.

Embedding -> 2-layer LSTM (batch_first) -> Linear; truncated backpropagation through time over
chunks with the hidden state detached between them; sampling with a temperature, one character
at a time, carrying (h, c).
"""
# expect: vocab | chunks | step 0 | sample: | h (2, 1, 32)
import tinygrad_edu as torch
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn, optim

torch.set_default_dtype(torch.float64)
torch.manual_seed(42)

text = (
    "the quick brown fox jumps over the lazy dog. "
    "a stitch in time saves nine. "
    "the early bird catches the worm. "
) * 2
chars = sorted(set(text))
stoi = {ch: i for i, ch in enumerate(chars)}
itos = {i: ch for ch, i in stoi.items()}
data = torch.tensor([stoi[ch] for ch in text], dtype=torch.long)
print("vocab", len(chars), "text", len(data))


class CharLSTM(nn.Module):
    def __init__(self, vocab_size, embed_size=16, hidden_size=32, num_layers=2):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_size)
        self.lstm = nn.LSTM(embed_size, hidden_size, num_layers, batch_first=True)
        self.head = nn.Linear(hidden_size, vocab_size)

    def forward(self, idx, hidden=None):
        out, hidden = self.lstm(self.embed(idx), hidden)
        return self.head(out), hidden


seq_len, batch = 16, 4
n_chunks = (len(data) - 1) // (seq_len * batch)
X = data[: n_chunks * seq_len * batch].view(batch, -1)
Y = data[1 : n_chunks * seq_len * batch + 1].view(batch, -1)
print("chunks", n_chunks, tuple(X.shape))

model = CharLSTM(len(chars))
optimizer = optim.Adam(model.parameters(), lr=0.01)
step = 0
for _epoch in range(5):
    hidden = None
    for j in range(0, X.shape[1], seq_len):
        x, y = X[:, j : j + seq_len], Y[:, j : j + seq_len]
        if hidden is not None:
            hidden = tuple(h.detach() for h in hidden)  # truncated BPTT
        logits, hidden = model(x, hidden)
        loss = F.cross_entropy(logits.view(-1, len(chars)), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        if step % 4 == 0:
            print(f"step {step} loss {loss.item():.12f}")
        step += 1


@torch.no_grad()
def sample(start, n, temperature=0.8, generator=None):
    model.eval()
    idx = torch.tensor([[stoi[ch] for ch in start]])
    logits, hidden = model(idx)
    out = start
    for _ in range(n):
        probs = F.softmax(logits[:, -1] / temperature, dim=-1)
        nxt = torch.multinomial(probs, num_samples=1, generator=generator)
        out += itos[nxt.item()]
        logits, hidden = model(nxt, hidden)
    return out, hidden


g = torch.Generator().manual_seed(1234)
text_out, (h, c) = sample("the ", 40, generator=g)
print("sample:", repr(text_out))
print("h", tuple(h.shape), "c", tuple(c.shape))
print("greedy-ish:", repr(sample("a ", 20, temperature=0.1, generator=g)[0]))
print("lstm weights", [(n, tuple(p.shape)) for n, p in model.lstm.named_parameters()][:4])
