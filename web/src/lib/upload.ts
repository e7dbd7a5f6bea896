import { ApiError, codeOf, messageOf } from "./errors";

export type UploadProgress = { loaded: number; total: number };

/**
 * POST one file to /api/documents with upload progress. The generated client is fetch-based
 * and fetch cannot report upload progress, so this one call uses XMLHttpRequest.
 */
export function uploadDocument(file: File, onProgress: (p: UploadProgress) => void, fallback: string): Promise<{ id: string }> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", "/api/documents");
    request.responseType = "json";
    request.upload.onprogress = (event) => onProgress({ loaded: event.loaded, total: event.total || file.size });
    request.onload = () => {
      const body: unknown = request.response;
      if (request.status >= 200 && request.status < 300) resolve(body as { id: string });
      else reject(new ApiError(messageOf(body, fallback), request.status, codeOf(body)));
    };
    request.onerror = () => reject(new ApiError(fallback, 0));
    const form = new FormData();
    form.append("file", file, file.name);
    request.send(form);
  });
}
