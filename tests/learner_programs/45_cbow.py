"""A continuous bag-of-words model (the PyTorch NLP tutorial's exercise): sum of context embeddings.

Two words either side predict the word in the middle; Embedding, Linear, log_softmax, NLLLoss, Adam.
"""
# expect: data 3 | epoch 0 | predicted | nearest
import tinygrad_edu as torch
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn, optim

torch.set_default_dtype(torch.float64)
torch.manual_seed(1)

CONTEXT_SIZE = 2  # 2 words to the left, 2 to the right
raw_text = """We are about to study the idea of a computational process.
Computational processes are abstract beings that inhabit computers.
As they evolve, processes manipulate other abstract things called data.
The evolution of a process is directed by a pattern of rules
called a program. People create programs to direct processes. In effect,
we conjure the spirits of the computer with our spells.""".split()  # noqa: SIM905

# By deriving a set from `raw_text`, we deduplicate the array
vocab = sorted(set(raw_text))
vocab_size = len(vocab)

word_to_ix = {word: i for i, word in enumerate(vocab)}
data = []
for i in range(CONTEXT_SIZE, len(raw_text) - CONTEXT_SIZE):
    context = (
        [raw_text[i - j - 1] for j in range(CONTEXT_SIZE)]
        + [raw_text[i + j + 1] for j in range(CONTEXT_SIZE)]
    )
    target = raw_text[i]
    data.append((context, target))
print("data", len(data[:3]), data[:3], len(data), vocab_size)


class CBOW(nn.Module):

    def __init__(self, vocab_size, embedding_dim):
        super().__init__()
        self.embeddings = nn.Embedding(vocab_size, embedding_dim)
        self.linear = nn.Linear(embedding_dim, vocab_size)

    def forward(self, inputs):
        embeds = self.embeddings(inputs).sum(dim=-2)
        return F.log_softmax(self.linear(embeds), dim=-1)


def make_context_vector(context, word_to_ix):
    idxs = [word_to_ix[w] for w in context]
    return torch.tensor(idxs, dtype=torch.long)


contexts = torch.stack([make_context_vector(c, word_to_ix) for c, _ in data])
targets = torch.tensor([word_to_ix[t] for _, t in data])

model = CBOW(vocab_size, 16)
optimizer = optim.Adam(model.parameters(), lr=0.05)
loss_function = nn.NLLLoss()
for epoch in range(40):
    model.zero_grad()
    log_probs = model(contexts)  # the whole data set as one batch: (N, vocab)
    loss = loss_function(log_probs, targets)
    loss.backward()
    optimizer.step()
    if epoch % 10 == 0:
        print(f"epoch {epoch} loss {loss.item():.12f}")

with torch.no_grad():
    log_probs = model(contexts)
    accuracy = (log_probs.argmax(-1) == targets).double().mean().item()
    print("final loss", loss_function(log_probs, targets).item(), "accuracy", accuracy)
    context = ["People", "program.", "programs", "to"]
    one = model(make_context_vector(context, word_to_ix))
    print("predicted", vocab[one.argmax().item()], "for", context)
    # the nearest word to "processes" by cosine similarity of the embeddings
    E = model.embeddings.weight
    e = E[word_to_ix["processes"]]
    sims = (E @ e) / (E.norm(dim=1) * e.norm())
    values, indices = sims.topk(3)
    print("nearest", [vocab[i] for i in indices.tolist()], values.tolist())
    print("argsort agrees", sims.argsort(descending=True)[:3].tolist() == indices.tolist())
