import ReactMarkdown from "react-markdown";

/** Model output as Markdown. Raw HTML is dropped (never rendered), links open safely. */
export default function Markdown({ text }: { text: string }) {
  return (
    <div className="prose-chat text-sm leading-relaxed break-words [&_a]:text-primary [&_a]:underline [&_code]:rounded [&_code]:bg-muted [&_code]:px-1 [&_li]:ml-5 [&_ol]:list-decimal [&_p]:my-2 [&_pre]:overflow-x-auto [&_pre]:rounded-md [&_pre]:bg-muted [&_pre]:p-3 [&_ul]:list-disc">
      <ReactMarkdown
        skipHtml
        components={{
          a: ({ href, children }) => (
            <a href={href} target="_blank" rel="noopener noreferrer nofollow">
              {children}
            </a>
          ),
          img: ({ alt }) => <span>{alt}</span>, // no remote images: the CSP would block them anyway
        }}
      >
        {text}
      </ReactMarkdown>
    </div>
  );
}
