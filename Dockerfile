# A slim image for CI jobs: the release binary, git (for packs from git) and CA certificates.
#   docker build -t ekscheck .
#   docker run --rm -v "$PWD:/work" -w /work -e AWS_REGION ekscheck run checks/node-join --var cluster=NAME
FROM rust:1.95-slim AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin ekscheck

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install --no-install-recommends -y ca-certificates git \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/target/release/ekscheck /usr/local/bin/ekscheck
COPY checks /usr/share/ekscheck/checks
ENTRYPOINT ["ekscheck"]
