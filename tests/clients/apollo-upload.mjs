// Apollo Client 4 with apollo-upload-client's UploadHttpLink (the GraphQL multipart request
// spec): an editor uploads a file made by the test, with the preflight header Apollo asks
// for, and reads the item back through the same client.
import { endpoint, params, report } from "./lib.mjs";
import { readFileSync } from "node:fs";
import { ApolloClient, InMemoryCache, gql } from "@apollo/client";
import UploadHttpLink from "apollo-upload-client/UploadHttpLink.mjs";

const link = new UploadHttpLink({
  uri: endpoint,
  headers: {
    Authorization: `Bearer ${params.editorToken}`,
    "Apollo-Require-Preflight": "true",
  },
});
const client = new ApolloClient({ link, cache: new InMemoryCache() });

const UPLOAD = gql`
  mutation Upload($input: UploadMediaInput!) {
    uploadMedia(input: $input) {
      mediaItem { id url mimeType width height altText }
      errors { field code }
    }
  }
`;
const ITEM = gql`
  query Item($id: ID!) {
    mediaItem(id: $id) { id title altText }
  }
`;

const file = new File([readFileSync(params.file)], "from-apollo.jpg", { type: "image/jpeg" });
const uploaded = await client.mutate({
  mutation: UPLOAD,
  variables: { input: { file, altText: "Sent by Apollo" } },
});
const payload = uploaded.data.uploadMedia;
const read = await client.query({ query: ITEM, variables: { id: payload.mediaItem.id } });
const served = await fetch(payload.mediaItem.url);

report({
  payload,
  item: read.data.mediaItem,
  served: {
    status: served.status,
    type: served.headers.get("content-type"),
    length: (await served.arrayBuffer()).byteLength,
  },
});
